// Leader epochs and the truncation rule for a returning former leader
// (replication/leader_epoch_cache.h).
#include "gafka/replication/leader_epoch_cache.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace gafka::replication {

class leader_epoch_cache_test : public ::testing::Test {
protected:
    static leader_epoch_cache make(std::vector<epoch_entry> entries) {
        leader_epoch_cache c;
        for (auto e : entries) EXPECT_TRUE(c.assign(e.epoch, e.start_offset));
        return c;
    }
};

TEST_F(leader_epoch_cache_test, assign_keeps_epochs_and_offsets_increasing) {
    leader_epoch_cache c;
    EXPECT_FALSE(c.latest_epoch());
    EXPECT_TRUE(c.assign(0, 0));
    EXPECT_TRUE(c.assign(2, 10));
    EXPECT_FALSE(c.assign(2, 20));  // known
    EXPECT_FALSE(c.assign(1, 30));  // older
    EXPECT_FALSE(c.assign(3, 5));   // starts before the latest
    EXPECT_EQ(c.latest_epoch(), 2);
    EXPECT_EQ(c.entries(), (std::vector<epoch_entry>{{0, 0}, {2, 10}}));
}

TEST_F(leader_epoch_cache_test, an_epoch_without_records_is_replaced_by_the_next) {
    auto c = make({{0, 0}, {1, 10}});
    EXPECT_TRUE(c.assign(2, 10));
    EXPECT_EQ(c.entries(), (std::vector<epoch_entry>{{0, 0}, {2, 10}}));
}

TEST_F(leader_epoch_cache_test, end_offset_for_is_the_start_of_the_next_epoch_or_the_log_end) {
    auto c = make({{0, 0}, {1, 100}, {3, 150}});
    EXPECT_EQ(c.end_offset_for(0, 200), (epoch_end{0, 100}));
    EXPECT_EQ(c.end_offset_for(1, 200), (epoch_end{1, 150}));
    EXPECT_EQ(c.end_offset_for(2, 200), (epoch_end{1, 150}));  // unknown: the largest below it
    EXPECT_EQ(c.end_offset_for(3, 200), (epoch_end{3, 200}));
    EXPECT_EQ(c.end_offset_for(7, 200), (epoch_end{3, 200}));
}

TEST_F(leader_epoch_cache_test, end_offset_for_an_epoch_older_than_all_is_the_first_start) {
    auto c = make({{2, 40}});
    EXPECT_EQ(c.end_offset_for(1, 90), (epoch_end{no_epoch, 40}));
    EXPECT_EQ(leader_epoch_cache{}.end_offset_for(0, 7), (epoch_end{no_epoch, 7}));
}

TEST_F(leader_epoch_cache_test, truncate_from_forgets_epochs_that_start_at_or_past_the_cut) {
    auto c = make({{0, 0}, {1, 100}, {2, 150}});
    c.truncate_from(150);
    EXPECT_EQ(c.entries(), (std::vector<epoch_entry>{{0, 0}, {1, 100}}));
    c.truncate_from(120);
    EXPECT_EQ(c.latest_epoch(), 1);
    c.truncate_from(0);
    EXPECT_TRUE(c.entries().empty());
}

TEST_F(leader_epoch_cache_test, encode_and_decode_round_trip_and_reject_damage) {
    auto c = make({{0, 0}, {4, 1234}});
    EXPECT_EQ(c.encode(), "0 0\n4 1234\n");
    auto d = leader_epoch_cache::decode(c.encode());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->entries(), c.entries());
    for (const char* bad : {"0", "0 x\n", "1 10\n0 20\n", "-1 0\n", "0 0 0\n", "1 5\n2 4\n"})
        EXPECT_FALSE(leader_epoch_cache::decode(bad).ok()) << bad;
}

TEST_F(leader_epoch_cache_test, save_and_load_through_the_checkpoint_file) {
    test::temp_dir tmp;
    auto empty = leader_epoch_cache::load(tmp.path());
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->entries().empty());
    auto c = make({{0, 0}, {1, 9}});
    ASSERT_TRUE(c.save(tmp.path()).ok());
    auto back = leader_epoch_cache::load(tmp.path());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->entries(), c.entries());
}

// --- the truncation rule -----------------------------------------------------

TEST_F(leader_epoch_cache_test, a_former_leader_cuts_its_unreplicated_tail_at_the_promotion_point) {
    // Old leader wrote epoch 0 up to 110; the follower had 100 when it was
    // promoted at epoch 1, so epoch 0 ends at 100 on the new leader.
    auto old_leader = make({{0, 0}});
    auto new_leader = make({{0, 0}, {1, 100}});
    auto answer = new_leader.end_offset_for(*old_leader.latest_epoch(), 150);
    EXPECT_EQ(answer, (epoch_end{0, 100}));
    EXPECT_EQ(truncation_offset(old_leader, 110, answer), 100);
}

TEST_F(leader_epoch_cache_test, nothing_is_cut_when_the_follower_is_a_prefix_of_the_leader) {
    auto follower = make({{0, 0}, {1, 100}});
    auto leader_log = make({{0, 0}, {1, 100}, {2, 200}});
    EXPECT_EQ(truncation_offset(follower, 150, leader_log.end_offset_for(1, 300)), 150);
    EXPECT_EQ(truncation_offset(follower, 0, leader_log.end_offset_for(1, 300)), 0);
}

TEST_F(leader_epoch_cache_test, an_epoch_the_leader_never_had_cuts_to_the_followers_end_of_the_common_epoch) {
    // Follower: epoch 0 up to 50, then epoch 2 (a leader that died unseen).
    // Leader: epoch 0 up to 40, epoch 1 from 40, epoch 3 from 60.
    auto follower = make({{0, 0}, {2, 50}});
    auto leader_log = make({{0, 0}, {1, 40}, {3, 60}});
    auto first = leader_log.end_offset_for(2, 90);
    EXPECT_EQ(first, (epoch_end{1, 60}));
    auto cut = truncation_offset(follower, 80, first);
    EXPECT_EQ(cut, 50);  // the follower's epoch 2 is gone
    // The next fetch asks again with the follower's latest epoch, now 0.
    follower.truncate_from(cut);
    auto second = leader_log.end_offset_for(*follower.latest_epoch(), 90);
    EXPECT_EQ(second, (epoch_end{0, 40}));
    EXPECT_EQ(truncation_offset(follower, cut, second), 40);
}

TEST_F(leader_epoch_cache_test, a_leader_with_no_common_epoch_cuts_everything_before_its_first_epoch) {
    auto follower = make({{0, 0}});
    auto leader_log = make({{1, 0}});
    EXPECT_EQ(truncation_offset(follower, 30, leader_log.end_offset_for(0, 10)), 0);
}

}  // namespace gafka::replication
