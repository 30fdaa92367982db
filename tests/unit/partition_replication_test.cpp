// A follower's copy of a partition, and the divergent tail a former leader
// cuts, on real logs (broker/partition.h with replication/).
#include "gafka/broker/partition.h"

#include <gtest/gtest.h>

#include "gafka/replication/replication_state.h"
#include "test_support.h"

namespace gafka::broker {
namespace fs = std::filesystem;

class partition_replication_test : public ::testing::Test {
protected:
    std::unique_ptr<partition> open(const std::string& name, const replication::replication_state* repl) {
        auto log = log::partition_log::open(tmp_.path() / name / "0");
        EXPECT_TRUE(log.ok());
        flush_policy never;
        never.kind = flush_policy::mode::never;
        return std::make_unique<partition>("t", 0, std::move(*log), never, repl);
    }

    std::unique_ptr<replication::replication_state> follower_state(replication::replica_id id) {
        replication::replication_options o;
        o.self = id;
        o.follower = true;
        o.leader = replication::replica_address{-1, "127.0.0.1", 1};
        auto s = replication::replication_state::open(tmp_.path() / ("state-" + std::to_string(id)), o);
        EXPECT_TRUE(s.ok());
        return std::move(*s);
    }

    static void produce(partition& p, int batches, const std::string& tag) {
        for (int b = 0; b < batches; ++b) {
            log::batch_builder builder;
            for (int i = 0; i < 3; ++i) builder.add(1000 + b, tag, tag + "-" + std::to_string(b) + "-" + std::to_string(i));
            ASSERT_TRUE(p.append(builder.finish()).ok());
        }
    }

    static std::string all_bytes(partition& p, log::offset_t from = 0, log::offset_t upto = INT64_MAX) {
        auto r = p.log().read(from, 64 << 20, upto);
        EXPECT_TRUE(r.ok());
        return r.ok() ? r->data : "";
    }

    // The bytes of the first segment up to the log's end; the rest of the
    // file is the zeros the log preallocates (segment.h).
    std::string segment_bytes(const std::string& name, partition& p) {
        auto all = test::file_bytes(tmp_.path() / name / "0" / log::segment_file_name(0, log::log_suffix));
        auto end = p.log().size_bytes();
        EXPECT_LE(end, all.size());
        EXPECT_EQ(all.find_first_not_of('\0', end), std::string::npos);
        return all.substr(0, end);
    }

    test::temp_dir tmp_;
};

TEST_F(partition_replication_test, a_follower_holds_the_leaders_batches_at_the_same_offsets_byte_for_byte) {
    auto leader = open("a", nullptr);
    auto state = follower_state(2);
    auto follower = open("b", state.get());
    produce(*leader, 4, "x");
    auto end = follower->append_replicated(all_bytes(*leader));
    ASSERT_TRUE(end.ok()) << end.error().to_string();
    EXPECT_EQ(*end, 12);
    EXPECT_EQ(segment_bytes("a", *leader), segment_bytes("b", *follower));
    // A batch it holds already is skipped, not appended twice.
    ASSERT_TRUE(follower->append_replicated(all_bytes(*leader, 6)).ok());
    EXPECT_EQ(follower->log().log_end_offset(), 12);
}

TEST_F(partition_replication_test, a_follower_refuses_produce_and_reads_only_to_the_leaders_high_watermark) {
    auto leader = open("a", nullptr);
    auto state = follower_state(2);
    auto follower = open("b", state.get());
    produce(*leader, 2, "x");
    ASSERT_TRUE(follower->append_replicated(all_bytes(*leader)).ok());
    EXPECT_EQ(follower->visible_end(), 0);
    follower->leader_said(3, 6, {1, 2});
    EXPECT_EQ(follower->visible_end(), 3);
    follower->leader_said(100, 100, {1, 2});
    EXPECT_EQ(follower->visible_end(), 6);  // never past what it holds
    log::batch_builder b;
    b.add(1, std::nullopt, std::string("v"));
    auto r = follower->append(b.finish());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::not_leader);
}

TEST_F(partition_replication_test, a_leader_with_a_follower_in_sync_holds_the_high_watermark_at_its_position) {
    auto leader = open("a", nullptr);
    produce(*leader, 2, "x");
    EXPECT_EQ(leader->visible_end(), 6);
    leader->follower_fetched(2, 6, 0);  // joins at the high watermark
    produce(*leader, 1, "y");
    EXPECT_EQ(leader->visible_end(), 6);
    leader->follower_fetched(2, 9, 1);
    EXPECT_EQ(leader->visible_end(), 9);
    EXPECT_EQ(leader->isr_size(), 2);
}

TEST_F(partition_replication_test, a_former_leader_cuts_its_divergent_tail_and_ends_byte_identical) {
    auto a = open("a", nullptr);  // the leader, epoch 0
    produce(*a, 3, "old");         // offsets 0..8
    auto state_b = follower_state(2);
    auto b = open("b", state_b.get());
    ASSERT_TRUE(b->append_replicated(all_bytes(*a, 0, 6)).ok());  // b saw only offsets 0..5
    ASSERT_EQ(b->log().log_end_offset(), 6);

    // a dies; b is promoted at epoch 1 and takes new records.
    a.reset();
    ASSERT_TRUE(b->become_leader(1).ok());
    produce(*b, 2, "new");  // offsets 6..11, epoch 1
    EXPECT_EQ(b->end_offset_for(0), (replication::epoch_end{0, 6}));

    // a comes back as b's follower: offsets 6..8 of epoch 0 are its divergent tail.
    auto state_a = follower_state(1);
    auto back = open("a", state_a.get());
    ASSERT_EQ(back->latest_epoch(), 0);
    auto cut = back->truncate_divergent(b->end_offset_for(*back->latest_epoch()));
    ASSERT_TRUE(cut.ok()) << cut.error().to_string();
    EXPECT_EQ(*cut, 6);
    ASSERT_TRUE(back->append_replicated(all_bytes(*b, 6)).ok());
    EXPECT_EQ(back->log().log_end_offset(), 12);
    EXPECT_EQ(back->latest_epoch(), 1);
    EXPECT_EQ(segment_bytes("a", *back), segment_bytes("b", *b));
}

TEST_F(partition_replication_test, an_epoch_led_without_a_record_is_forgotten_when_the_leader_says_diverge) {
    // Found by the cluster campaign (seed 7100006): b led a moment at epoch 1
    // and wrote nothing; a leads at epoch 2. Every fetch of b reported epoch
    // 1 as its last, was told to diverge at its own log end, cut nothing,
    // and b copied nothing more.
    auto a = open("a", nullptr);
    produce(*a, 2, "x");  // offsets 0..5, epoch 0
    auto state_b = follower_state(2);
    auto b = open("b", state_b.get());
    ASSERT_TRUE(b->append_replicated(all_bytes(*a)).ok());
    ASSERT_TRUE(b->lead_in_cluster(1, {2}, 0).ok());  // epoch 1 from offset 6, nothing appended
    ASSERT_EQ(b->latest_epoch(), 1);
    ASSERT_TRUE(a->lead_in_cluster(2, {1}, 0).ok());
    produce(*a, 1, "y");  // offsets 6..8, epoch 2
    b->follow_in_cluster(2, 1, "127.0.0.1:1");

    const auto told = a->end_offset_for(*b->latest_epoch());
    EXPECT_EQ(told, (replication::epoch_end{0, 6}));
    auto cut = b->truncate_divergent(told);
    ASSERT_TRUE(cut.ok()) << cut.error().to_string();
    EXPECT_EQ(*cut, 6);
    EXPECT_EQ(b->latest_epoch(), 0);  // the leader agrees with epoch 0 ending at 6: no divergence now
    EXPECT_EQ(a->end_offset_for(0), (replication::epoch_end{0, 6}));
    ASSERT_TRUE(b->append_replicated(all_bytes(*a, 6)).ok());
    EXPECT_EQ(b->latest_epoch(), 2);
    EXPECT_EQ(segment_bytes("a", *a), segment_bytes("b", *b));
}

TEST_F(partition_replication_test, a_cut_inside_a_batch_rounds_down_to_its_start) {
    auto leader = open("a", nullptr);
    produce(*leader, 3, "x");  // batches at 0, 3, 6
    auto cut = leader->truncate_replica(4);
    ASSERT_TRUE(cut.ok());
    EXPECT_EQ(*cut, 3);
    EXPECT_EQ(leader->log().log_end_offset(), 3);
}

TEST_F(partition_replication_test, the_epoch_history_survives_a_reopen) {
    auto a = open("a", nullptr);
    produce(*a, 1, "x");
    ASSERT_TRUE(a->become_leader(3).ok());
    produce(*a, 1, "y");
    a.reset();
    auto again = open("a", nullptr);
    EXPECT_EQ(again->latest_epoch(), 3);
    EXPECT_EQ(again->end_offset_for(0), (replication::epoch_end{0, 3}));
    EXPECT_EQ(again->end_offset_for(3), (replication::epoch_end{3, 6}));
}

TEST_F(partition_replication_test, in_a_cluster_a_partition_leads_at_the_keys_epoch_and_follows_by_refusing_writes) {
    auto p = open("c", nullptr);
    ASSERT_TRUE(p->lead_in_cluster(3, {1, 2}, 1000).ok());
    EXPECT_TRUE(p->is_leader());
    EXPECT_FALSE(p->leader_hint());
    produce(*p, 1, "x");
    EXPECT_EQ(p->latest_epoch(), 3) << "appended with the partition key's leader epoch";
    EXPECT_EQ(p->visible_end(), 0) << "replica 2, seeded in sync from the key, has not fetched yet";
    EXPECT_EQ(p->snapshot().isr, (std::vector<replica_id>{1, 2}));
    p->follower_fetched(2, 3, 1001);
    EXPECT_EQ(p->visible_end(), 3);

    p->follow_in_cluster(4, 2, "127.0.0.1:9002");
    EXPECT_FALSE(p->is_leader());
    EXPECT_EQ(p->leader_hint(), (std::pair<replica_id, std::string>{2, "127.0.0.1:9002"}));
    log::batch_builder b;
    b.add(1, "k", "v");
    auto refused = p->append(b.finish());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), status_code::not_leader);
    EXPECT_EQ(p->log().log_end_offset(), 3) << "nothing written";
}

TEST_F(partition_replication_test, in_sync_gives_the_role_the_term_and_the_isr_as_the_snapshot_does) {
    auto p = open("s", nullptr);
    auto lone = p->in_sync();
    EXPECT_TRUE(lone.leader);
    EXPECT_EQ(lone.leader_epoch, 0);
    EXPECT_EQ(lone.isr, (std::vector<replica_id>{1}));

    ASSERT_TRUE(p->lead_in_cluster(3, {1, 2, 3}, 1000).ok());
    p->follower_fetched(2, 0, 5000);
    p->expire_followers(1000 + replication::isr_config{}.lag_max_ms + 1);  // 3 never fetched: it leaves
    auto leading = p->in_sync();
    EXPECT_TRUE(leading.leader);
    EXPECT_EQ(leading.leader_epoch, 3);
    EXPECT_EQ(leading.isr, (std::vector<replica_id>{1, 2}));
    EXPECT_EQ(leading.isr, p->snapshot().isr);

    p->follow_in_cluster(4, 2, "127.0.0.1:9002");
    p->leader_said(0, 0, {2, 3});
    auto following = p->in_sync();
    EXPECT_FALSE(following.leader);
    EXPECT_EQ(following.leader_epoch, 4);
    EXPECT_EQ(following.isr, (std::vector<replica_id>{2, 3})) << "as the leader last said";
    EXPECT_EQ(following.isr, p->snapshot().isr);
}

TEST_F(partition_replication_test, a_manual_promotion_leads_alone_with_everything_it_holds_committed) {
    auto state = follower_state(2);
    auto a = open("a", nullptr);
    produce(*a, 2, "x");
    auto p = open("p", state.get());
    ASSERT_TRUE(p->append_replicated(all_bytes(*a)).ok());
    p->leader_said(3, 6, {1, 2});
    ASSERT_EQ(p->visible_end(), 3);

    ASSERT_TRUE(p->become_leader(1).ok());
    EXPECT_TRUE(p->is_leader());
    EXPECT_FALSE(p->leader_hint());
    auto led = p->in_sync();
    EXPECT_EQ(led.leader_epoch, 1);
    EXPECT_EQ(led.isr, (std::vector<replica_id>{2})) << "alone in sync: the leader it followed is gone";
    EXPECT_EQ(p->visible_end(), 6) << "everything it holds is committed";
    produce(*p, 1, "y");
    EXPECT_EQ(p->latest_epoch(), 1);
    EXPECT_EQ(p->visible_end(), 9);
}

}  // namespace gafka::broker
