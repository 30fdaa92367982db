// The leader's in-sync replica and high-watermark rules (replication/isr_state.h).
#include "gafka/replication/isr_state.h"

#include <gtest/gtest.h>

namespace gafka::replication {

class isr_state_test : public ::testing::Test {
protected:
    static constexpr replica_id leader = 1;
    isr_state isr_{leader, {1000, 1}};  // lag max 1 s
    using ids = std::vector<replica_id>;
};

TEST_F(isr_state_test, alone_the_leader_is_the_isr_and_the_high_watermark_is_its_log_end) {
    EXPECT_EQ(isr_.isr(), ids{leader});
    EXPECT_EQ(isr_.high_watermark(0), 0);
    EXPECT_EQ(isr_.high_watermark(42), 42);
    EXPECT_TRUE(isr_.enough_insync());
}

TEST_F(isr_state_test, a_follower_that_reaches_the_high_watermark_joins_the_isr) {
    isr_.high_watermark(10);
    EXPECT_FALSE(isr_.on_fetch(2, 5, 10, 0));  // behind: replica but not in sync
    EXPECT_EQ(isr_.isr(), ids{leader});
    EXPECT_EQ(isr_.replicas(), (ids{leader, 2}));
    EXPECT_TRUE(isr_.on_fetch(2, 10, 10, 1));
    EXPECT_EQ(isr_.isr(), (ids{leader, 2}));
}

TEST_F(isr_state_test, the_high_watermark_is_the_smallest_in_sync_position) {
    isr_.on_fetch(2, 0, 0, 0);  // joins at 0
    EXPECT_EQ(isr_.high_watermark(10), 0);
    isr_.on_fetch(2, 7, 10, 1);
    EXPECT_EQ(isr_.high_watermark(10), 7);
    isr_.on_fetch(2, 10, 10, 2);
    EXPECT_EQ(isr_.high_watermark(10), 10);
}

TEST_F(isr_state_test, the_high_watermark_never_goes_back_and_never_passes_the_leader_end) {
    isr_.on_fetch(2, 8, 8, 0);
    EXPECT_EQ(isr_.high_watermark(8), 8);
    isr_.on_fetch(2, 3, 8, 1);  // a follower that restarted from an older position
    EXPECT_EQ(isr_.high_watermark(8), 8);
    EXPECT_LE(isr_.high_watermark(8), 8);
}

TEST_F(isr_state_test, an_in_sync_follower_that_goes_silent_leaves_after_the_lag_max) {
    isr_.on_fetch(2, 0, 0, 0);
    EXPECT_FALSE(isr_.expire(1000));  // exactly at the limit: still in
    EXPECT_TRUE(isr_.expire(1001));
    EXPECT_EQ(isr_.isr(), ids{leader});
    EXPECT_EQ(isr_.high_watermark(50), 50);  // no longer held back by it
}

TEST_F(isr_state_test, a_follower_too_far_behind_leaves_even_while_it_keeps_fetching) {
    isr_.on_fetch(2, 0, 0, 0);
    for (std::int64_t t = 100; t <= 1500; t += 100)  // fetches often, never reaches the growing end
        isr_.on_fetch(2, t / 100, 1000 + t, t);
    EXPECT_TRUE(isr_.expire(1500));
    EXPECT_EQ(isr_.isr(), ids{leader});
}

TEST_F(isr_state_test, a_follower_keeping_up_with_a_steady_stream_stays_in_sync) {
    isr_.on_fetch(2, 0, 0, 0);
    // Each fetch reaches the end the leader had at the previous one, never the current end.
    for (std::int64_t t = 100; t <= 5000; t += 100) {
        isr_.on_fetch(2, t - 100, t, t);
        EXPECT_FALSE(isr_.expire(t));
    }
    EXPECT_EQ(isr_.isr(), (ids{leader, 2}));
}

TEST_F(isr_state_test, a_dropped_follower_rejoins_once_caught_up) {
    isr_.on_fetch(2, 0, 0, 0);
    ASSERT_TRUE(isr_.expire(2000));
    EXPECT_EQ(isr_.high_watermark(30), 30);
    EXPECT_FALSE(isr_.on_fetch(2, 20, 30, 2100));
    EXPECT_TRUE(isr_.on_fetch(2, 30, 30, 2200));
    EXPECT_EQ(isr_.isr(), (ids{leader, 2}));
    EXPECT_EQ(isr_.high_watermark(40), 30);  // now it holds the watermark back again
}

TEST_F(isr_state_test, min_insync_counts_the_leader_and_in_sync_followers) {
    isr_state two{leader, {1000, 2}};
    EXPECT_FALSE(two.enough_insync());
    two.on_fetch(2, 0, 0, 0);
    EXPECT_TRUE(two.enough_insync());
    two.expire(5000);
    EXPECT_FALSE(two.enough_insync());
}

TEST_F(isr_state_test, a_partition_born_with_live_followers_counts_them_in_sync_at_zero) {
    isr_.add_in_sync_follower(2, 0);
    EXPECT_EQ(isr_.isr(), (ids{leader, 2}));
    EXPECT_EQ(isr_.high_watermark(5), 0);
    EXPECT_TRUE(isr_.expire(1001));  // and it must then actually fetch
}

TEST_F(isr_state_test, reset_leaves_the_leader_alone_with_the_given_high_watermark) {
    isr_.on_fetch(2, 4, 4, 0);
    isr_.reset(9);
    EXPECT_EQ(isr_.isr(), ids{leader});
    EXPECT_EQ(isr_.high_watermark(9), 9);
}

TEST_F(isr_state_test, the_leader_reporting_as_a_follower_is_ignored) {
    EXPECT_FALSE(isr_.on_fetch(leader, 0, 10, 0));
    EXPECT_EQ(isr_.replicas(), ids{leader});
}

TEST_F(isr_state_test, a_recorded_follower_holds_the_mark_back_after_it_left_the_isr_until_the_record_drops_it) {
    isr_.on_fetch(2, 0, 0, 0);
    isr_.set_recorded({leader, 2}, 0);
    isr_.on_fetch(2, 5, 5, 10);
    EXPECT_TRUE(isr_.expire(2000));
    EXPECT_EQ(isr_.isr(), ids{leader}) << "what the leader proposes to record";
    EXPECT_EQ(isr_.high_watermark(50), 5) << "etcd still lists 2: it could be elected";
    isr_.set_recorded({leader}, 2000);
    EXPECT_EQ(isr_.high_watermark(50), 50);
}

TEST_F(isr_state_test, a_recorded_member_never_seen_holds_the_mark_at_zero_until_it_fetches) {
    isr_.set_recorded({3, leader}, 0);
    EXPECT_EQ(isr_.high_watermark(20), 0);
    EXPECT_EQ(isr_.isr(), ids{leader}) << "recorded, but not seen in sync here";
    isr_.on_fetch(3, 20, 20, 1);
    EXPECT_EQ(isr_.high_watermark(20), 20);
    EXPECT_EQ(isr_.isr(), (ids{leader, 3}));
    isr_.reset(20);
    EXPECT_EQ(isr_.high_watermark(30), 30) << "reset forgets the record";
}

}  // namespace gafka::replication
