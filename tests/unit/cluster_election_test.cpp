#include "gafka/cluster/election.h"

#include <gtest/gtest.h>

namespace gafka::cluster {
namespace {

partition_state led_by(std::int32_t leader, std::vector<std::int32_t> isr, std::int32_t epoch = 4) {
    return {leader, epoch, {1, 2, 3}, std::move(isr), 19};
}

TEST(cluster_election_test, a_live_leader_stays) {
    EXPECT_FALSE(elect_leader(led_by(1, {1, 2, 3}), {1, 2, 3}, false));
    EXPECT_FALSE(elect_leader(led_by(2, {2}), {2}, true)) << "even alone in its ISR";
}

TEST(cluster_election_test, a_dead_leader_gives_way_to_the_first_live_isr_member_in_replica_order) {
    auto next = elect_leader(led_by(1, {1, 3, 2}), {2, 3}, false);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, 2) << "replica order, not ISR order";
    EXPECT_EQ(next->leader_epoch, 5);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{3, 2})) << "the dead leader leaves the ISR";
    EXPECT_EQ(next->replicas, (std::vector<std::int32_t>{1, 2, 3}));
    EXPECT_EQ(next->controller_epoch, 19);
}

TEST(cluster_election_test, dead_followers_leave_the_isr_with_the_leader_and_out_of_sync_ones_never_lead) {
    auto next = elect_leader(led_by(1, {1, 3}), {2, 3}, false);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, 3) << "2 is live but was not in sync";
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{3}));
    next = elect_leader(led_by(1, {1, 2, 3}), {3}, false);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, 3);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{3}));
}

TEST(cluster_election_test, no_live_isr_member_leaves_it_without_leader_and_keeps_the_isr) {
    auto next = elect_leader(led_by(1, {1}), {2, 3}, false);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, -1);
    EXPECT_EQ(next->leader_epoch, 5);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{1}));
    EXPECT_FALSE(elect_leader(*next, {2, 3}, false)) << "already leaderless: nothing to write again";
    auto back = elect_leader(*next, {1, 2, 3}, false);
    ASSERT_TRUE(back) << "the last in-sync replica leads again when it returns";
    EXPECT_EQ(back->leader, 1);
    EXPECT_EQ(back->leader_epoch, 6);
}

TEST(cluster_election_test, unclean_election_takes_the_first_live_replica_alone) {
    auto next = elect_leader(led_by(1, {1}), {3, 2}, true);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, 2);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{2}));
    EXPECT_EQ(next->leader_epoch, 5);
    EXPECT_FALSE(elect_leader(led_by(-1, {1}, 5), {}, true)) << "nobody live: stays leaderless";
}

TEST(cluster_election_test, a_leader_changes_only_its_own_isr_at_its_epoch_and_stays_in_it) {
    auto p = led_by(1, {1, 2, 3});
    auto next = with_isr(p, 1, 4, {1, 3});
    ASSERT_TRUE(next);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{1, 3}));
    EXPECT_EQ(next->leader_epoch, 4) << "an ISR change is not a new epoch";
    EXPECT_FALSE(with_isr(p, 1, 4, {3, 2, 1})) << "the same set in another order";
    EXPECT_FALSE(with_isr(p, 2, 4, {2})) << "not the leader";
    EXPECT_FALSE(with_isr(p, 1, 3, {1})) << "an older epoch";
    EXPECT_FALSE(with_isr(p, 1, 4, {2, 3})) << "without itself";
}

TEST(cluster_election_test, the_preferred_replica_leads_again_at_the_next_epoch_when_live_and_in_sync) {
    auto next = preferred_leader(led_by(2, {2, 3, 1}), {1, 2, 3});
    ASSERT_TRUE(next);
    EXPECT_EQ(next->leader, 1) << "the first replica";
    EXPECT_EQ(next->leader_epoch, 5);
    EXPECT_EQ(next->isr, (std::vector<std::int32_t>{2, 3, 1})) << "the ISR is not touched";
    EXPECT_EQ(next->replicas, (std::vector<std::int32_t>{1, 2, 3}));
    next = preferred_leader(led_by(-1, {1}), {1});
    ASSERT_TRUE(next) << "a partition without leader takes its preferred replica too";
    EXPECT_EQ(next->leader, 1);
}

TEST(cluster_election_test, no_preferred_election_when_it_leads_already_is_dead_or_out_of_sync) {
    EXPECT_FALSE(preferred_leader(led_by(1, {1, 2, 3}), {1, 2, 3})) << "already the leader";
    EXPECT_FALSE(preferred_leader(led_by(2, {2, 3, 1}), {2, 3})) << "not live";
    EXPECT_FALSE(preferred_leader(led_by(2, {2, 3}), {1, 2, 3})) << "live but not in the ISR yet";
    EXPECT_FALSE(preferred_leader({2, 4, {}, {2}, 19}, {2})) << "no replicas";
}

}  // namespace
}  // namespace gafka::cluster
