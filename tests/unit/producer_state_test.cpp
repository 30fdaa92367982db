#include "gafka/log/producer_state.h"

#include <gtest/gtest.h>

#include "gafka/log/partition_log.h"
#include "gafka/util/clock.h"
#include "test_support.h"

namespace gafka::log {
namespace {

batch_header batch(std::int64_t producer, std::int32_t first_sequence, std::int32_t count, offset_t base,
                   producer_epoch_t epoch = 0) {
    batch_header h;
    h.producer_id = producer;
    h.producer_epoch = epoch;
    h.base_sequence = first_sequence;
    h.record_count = count;
    h.base_offset = base;
    return h;
}

TEST(producer_state_test, a_new_producer_may_start_anywhere_and_then_must_follow_on) {
    producer_state_table t;
    EXPECT_EQ(t.check(7, 0, 0, 3).verdict, sequence_verdict::append);
    EXPECT_EQ(t.check(7, 0, 40, 3).verdict, sequence_verdict::append);  // unknown: new or forgotten
    t.appended(batch(7, 0, 3, 100), 1);
    EXPECT_EQ(t.check(7, 0, 3, 2).verdict, sequence_verdict::append);
    auto gap = t.check(7, 0, 5, 2);
    EXPECT_EQ(gap.verdict, sequence_verdict::out_of_order);
    EXPECT_EQ(gap.expected, 3);
    EXPECT_EQ(t.check(8, 0, 5, 1).verdict, sequence_verdict::append) << "producers are independent";
}

TEST(producer_state_test, a_retry_of_any_of_the_last_five_batches_gets_its_offsets) {
    producer_state_table t;
    for (int i = 0; i < 7; ++i) t.appended(batch(1, i * 10, 10, 1000 + i * 10), 1);
    for (int i = 2; i < 7; ++i) {
        auto c = t.check(1, 0, i * 10, 10);
        ASSERT_EQ(c.verdict, sequence_verdict::duplicate) << "batch " << i;
        EXPECT_EQ(c.original_base, 1000 + i * 10);
        EXPECT_EQ(c.original_last, 1000 + i * 10 + 9);
    }
    EXPECT_EQ(t.check(1, 0, 10, 10).verdict, sequence_verdict::out_of_order) << "older than the batches kept";
    EXPECT_EQ(t.check(1, 0, 60, 5).verdict, sequence_verdict::out_of_order) << "same start, other length";
}

TEST(producer_state_test, batches_without_a_producer_are_ignored_and_idle_producers_expire) {
    producer_state_table t;
    t.appended(batch(-1, -1, 5, 0), 1);
    EXPECT_EQ(t.size(), 0u);
    t.appended(batch(1, 0, 1, 0), 1000);
    t.appended(batch(2, 0, 1, 1), 1000 + producer_expiration_ms);
    t.expire(1001 + producer_expiration_ms);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.check(1, 0, 9, 1).verdict, sequence_verdict::append) << "forgotten";
    EXPECT_EQ(t.check(2, 0, 9, 1).verdict, sequence_verdict::out_of_order) << "still known";
}

TEST(producer_state_test, a_newer_epoch_starts_its_sequences_at_zero) {
    producer_state_table t;
    t.appended(batch(7, 0, 3, 100), 1);
    auto restart = t.check(7, 1, 3, 1);
    EXPECT_EQ(restart.verdict, sequence_verdict::out_of_order) << "the old epoch's next sequence is not the new one's";
    EXPECT_EQ(restart.expected, 0);
    EXPECT_EQ(t.check(7, 1, 0, 2).verdict, sequence_verdict::append);
    t.appended(batch(7, 0, 2, 103, 1), 1);
    EXPECT_EQ(t.check(7, 1, 2, 1).verdict, sequence_verdict::append);
    EXPECT_EQ(t.check(7, 1, 0, 2).verdict, sequence_verdict::duplicate);
    EXPECT_EQ(t.check(7, 1, 3, 1).verdict, sequence_verdict::out_of_order) << "gaps still count in the new epoch";
}

TEST(producer_state_test, an_older_epoch_is_refused_even_for_a_batch_the_log_has) {
    producer_state_table t;
    t.appended(batch(7, 0, 3, 100, 2), 1);
    for (auto [sequence, count] : {std::pair{0, 3}, std::pair{3, 1}, std::pair{0, 1}}) {
        auto c = t.check(7, 1, sequence, count);
        EXPECT_EQ(c.verdict, sequence_verdict::stale_epoch) << sequence;
        EXPECT_EQ(c.current_epoch, 2);
    }
    t.appended(batch(7, 3, 1, 103, 1), 1);  // never appended by a leader; ignored if it were
    EXPECT_EQ(t.check(7, 2, 3, 1).verdict, sequence_verdict::append) << "epoch 2 still expects 3";
    EXPECT_EQ(t.check(8, 0, 0, 1).verdict, sequence_verdict::append) << "producers are independent";
}

// The same rules through a partition log on disk.
class idempotent_log_test : public ::testing::Test {
protected:
    std::unique_ptr<partition_log> open() {
        auto r = partition_log::open(tmp_.path() / "p0");
        EXPECT_TRUE(r.ok()) << r.error().to_string();
        return r.ok() ? std::move(r).value() : nullptr;
    }
    static std::string idempotent_batch(std::int64_t producer, std::int32_t sequence, int records,
                                        producer_epoch_t epoch = 0) {
        batch_builder b;
        for (int i = 0; i < records; ++i) b.add(util::wall_clock_ms(), std::nullopt, "v" + std::to_string(sequence + i));
        return b.finish(0, 0, producer, sequence, epoch);
    }
    test::temp_dir tmp_;
};

TEST_F(idempotent_log_test, a_retried_batch_is_answered_with_its_offsets_and_not_appended) {
    auto log = open();
    auto first = log->append(idempotent_batch(5, 0, 3));
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    EXPECT_FALSE(first->duplicate);
    auto end = log->log_end_offset();
    auto retry = log->append(idempotent_batch(5, 0, 3));
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate);
    EXPECT_EQ(retry->base_offset, first->base_offset);
    EXPECT_EQ(retry->last_offset, first->last_offset);
    EXPECT_EQ(log->log_end_offset(), end) << "nothing appended";
}

TEST_F(idempotent_log_test, a_gap_is_refused_with_the_sequence_that_was_due) {
    auto log = open();
    ASSERT_TRUE(log->append(idempotent_batch(5, 0, 3)).ok());
    auto end = log->log_end_offset();
    auto gap = log->append(idempotent_batch(5, 7, 1));
    ASSERT_FALSE(gap.ok());
    EXPECT_EQ(gap.error().code(), status_code::conflict);
    EXPECT_NE(gap.error().message().find("3 was due"), std::string::npos) << gap.error().message();
    EXPECT_EQ(log->log_end_offset(), end);
    EXPECT_TRUE(log->append(idempotent_batch(5, 3, 1)).ok());
}

TEST_F(idempotent_log_test, producers_are_rebuilt_from_the_log_after_a_crash) {
    append_result first;
    {
        auto log = open();
        ASSERT_TRUE(log->append(idempotent_batch(9, 0, 2)).ok());
        auto second = log->append(idempotent_batch(9, 2, 2));
        ASSERT_TRUE(second.ok());
        first = *second;
        ASSERT_TRUE(log->sync().ok());
    }  // destroyed without close(): reopened as after kill -9
    auto log = open();
    auto retry = log->append(idempotent_batch(9, 2, 2));
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate);
    EXPECT_EQ(retry->base_offset, first.base_offset);
    EXPECT_FALSE(log->append(idempotent_batch(9, 9, 1)).ok()) << "the gap rule survives the restart too";
}

TEST_F(idempotent_log_test, an_older_epoch_is_fenced_and_the_epoch_survives_a_restart) {
    {
        auto log = open();
        ASSERT_TRUE(log->append(idempotent_batch(6, 0, 2)).ok());
        ASSERT_TRUE(log->append(idempotent_batch(6, 0, 1, 1)).ok()) << "a newer epoch starts at 0";
        auto end = log->log_end_offset();
        auto stale = log->append(idempotent_batch(6, 2, 1, 0));
        ASSERT_FALSE(stale.ok());
        EXPECT_EQ(stale.error().code(), status_code::fenced);
        EXPECT_NE(stale.error().message().find("is at epoch 1"), std::string::npos) << stale.error().message();
        EXPECT_EQ(log->log_end_offset(), end);
        ASSERT_TRUE(log->sync().ok());
    }  // reopened as after kill -9
    auto log = open();
    auto stale = log->append(idempotent_batch(6, 2, 1, 0));
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code(), status_code::fenced);
    auto retry = log->append(idempotent_batch(6, 0, 1, 1));
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate) << "epoch 1's batch is remembered";
    EXPECT_EQ(retry->base_offset, 2);
    EXPECT_TRUE(log->append(idempotent_batch(6, 1, 1, 1)).ok());
}

TEST_F(idempotent_log_test, a_truncated_batch_is_forgotten_so_its_retry_is_appended_again) {
    auto log = open();
    ASSERT_TRUE(log->append(idempotent_batch(4, 0, 2)).ok());
    auto second = log->append(idempotent_batch(4, 2, 2));
    ASSERT_TRUE(second.ok());
    ASSERT_TRUE(log->truncate_to(second->base_offset).ok());
    auto again = log->append(idempotent_batch(4, 2, 2));
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->duplicate);
    EXPECT_EQ(again->base_offset, second->base_offset);
}

TEST_F(idempotent_log_test, a_replica_learns_producers_from_the_batches_it_copies) {
    auto leader = partition_log::open(tmp_.path() / "leader");
    ASSERT_TRUE(leader.ok());
    auto a = (*leader)->append(idempotent_batch(3, 0, 2));
    ASSERT_TRUE(a.ok());
    auto copied = (*leader)->read(0, 1 << 20);
    ASSERT_TRUE(copied.ok());
    auto follower = open();
    ASSERT_TRUE(follower->append_stamped(copied->data).ok());
    auto retry = follower->append(idempotent_batch(3, 0, 2));  // after a promotion
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate);
    EXPECT_EQ(retry->base_offset, a->base_offset);
}

}  // namespace
}  // namespace gafka::log
