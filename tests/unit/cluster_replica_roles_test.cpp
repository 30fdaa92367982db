#include "gafka/cluster/replica_roles.h"

#include <gtest/gtest.h>

namespace gafka::cluster {
namespace {

std::vector<partition_view> three_partitions() {
    return {
        {"t", 0, 1, 4, {1, 2, 3}, {1, 2, 3}},
        {"t", 1, 2, 0, {2, 3, 1}, {2, 3}},
        {"t", 2, 3, 1, {3, 1, 2}, {3, 1, 2}},
        {"u", 0, 2, 0, {2, 3}, {2, 3}},
        {"v", 0, -1, 2, {1, 2}, {}},
    };
}

TEST(cluster_replica_roles_test, role_comes_from_the_leader_and_the_replicas) {
    auto roles = roles_of(1, three_partitions());
    ASSERT_EQ(roles.size(), 5u);
    EXPECT_EQ(roles[0], (partition_role{"t", 0, replica_role::leader, 1, 4, {1, 2, 3}}));
    EXPECT_EQ(roles[1], (partition_role{"t", 1, replica_role::follower, 2, 0, {2, 3}}));
    EXPECT_EQ(roles[2], (partition_role{"t", 2, replica_role::follower, 3, 1, {3, 1, 2}}));
    EXPECT_EQ(roles[3].role, replica_role::none) << "not a replica of u/0: refuses writes, copies nothing";
    EXPECT_EQ(roles[3].leader, 2);
    EXPECT_EQ(roles[4].role, replica_role::none) << "a replica of v/0, but no leader is recorded";
}

TEST(cluster_replica_roles_test, topics_held_are_those_with_a_replica_here_with_the_whole_count) {
    EXPECT_EQ(topics_to_hold(1, three_partitions()), (std::map<std::string, std::int32_t>{{"t", 3}, {"v", 1}}));
    EXPECT_EQ(topics_to_hold(3, three_partitions()), (std::map<std::string, std::int32_t>{{"t", 3}, {"u", 1}}));
    // Partition 5 of a topic whose other keys are not seen yet still counts 6.
    EXPECT_EQ(topics_to_hold(9, {{"w", 5, 9, 0, {9}, {9}}}), (std::map<std::string, std::int32_t>{{"w", 6}}));
    EXPECT_TRUE(topics_to_hold(4, three_partitions()).empty());
}

TEST(cluster_replica_roles_test, followed_partitions_are_grouped_per_leader) {
    auto plan = follow_plan(roles_of(1, three_partitions()));
    EXPECT_EQ(plan, (std::map<std::int32_t, std::vector<topic_partition_ref>>{{2, {{"t", 1}}}, {3, {{"t", 2}}}}));
    auto plan3 = follow_plan(roles_of(3, three_partitions()));
    EXPECT_EQ(plan3, (std::map<std::int32_t, std::vector<topic_partition_ref>>{{1, {{"t", 0}}}, {2, {{"t", 1}, {"u", 0}}}}));
    EXPECT_TRUE(follow_plan(roles_of(4, three_partitions())).empty());
}

// --- incarnations: which local topics to drop, replace or stamp ---

// Topic t (3 partitions, incarnation 40, replicas on 1 and 2) and u
// (1 partition, incarnation 70, on 2 only), as etcd holds them.
std::vector<partition_view> recorded() {
    return {
        {"t", 0, 1, 0, {1, 2}, {1, 2}, 40},
        {"t", 1, 2, 0, {2, 1}, {2, 1}, 40},
        {"t", 2, 1, 0, {1, 2}, {1, 2}, 41},
        {"u", 0, 2, 0, {2}, {2}, 70},
    };
}

TEST(cluster_replica_roles_test, incarnation_is_partition_zeros_create_revision) {
    EXPECT_EQ(incarnation_of(recorded(), "t"), 40);
    EXPECT_EQ(incarnation_of(recorded(), "u"), 70);
    EXPECT_EQ(incarnation_of(recorded(), "gone"), no_incarnation);
    EXPECT_EQ(incarnation_of({{"w", 1, 1, 0, {1}, {1}, 9}}, "w"), no_incarnation) << "no partition 0 in the view";
}

TEST(cluster_replica_roles_test, a_copy_of_the_life_etcd_holds_is_kept) {
    EXPECT_TRUE(local_topic_fates(1, recorded(), {{"t", 40}}).empty());
    EXPECT_TRUE(local_topic_fates(2, recorded(), {{"t", 40}, {"u", 70}}).empty());
}

TEST(cluster_replica_roles_test, a_copy_of_a_topic_etcd_no_longer_has_is_dropped) {
    EXPECT_EQ(local_topic_fates(1, recorded(), {{"t", 40}, {"gone", 12}}),
              (std::vector<topic_decision>{{"gone", topic_fate::drop, no_incarnation}}));
    EXPECT_EQ(local_topic_fates(1, {}, {{"t", 40}}), (std::vector<topic_decision>{{"t", topic_fate::drop, no_incarnation}}))
        << "an empty view (of a complete read) has no topic";
}

TEST(cluster_replica_roles_test, a_copy_of_an_earlier_life_is_replaced_where_held_else_dropped) {
    EXPECT_EQ(local_topic_fates(1, recorded(), {{"t", 12}}), (std::vector<topic_decision>{{"t", topic_fate::replace, 40}}));
    // Broker 1 holds no replica of u's life 70: its copy of life 55 just goes.
    EXPECT_EQ(local_topic_fates(1, recorded(), {{"u", 55}}), (std::vector<topic_decision>{{"u", topic_fate::drop, no_incarnation}}));
    EXPECT_EQ(local_topic_fates(2, recorded(), {{"u", 55}}), (std::vector<topic_decision>{{"u", topic_fate::replace, 70}}));
}

TEST(cluster_replica_roles_test, an_unsettled_copy_takes_etcds_incarnation_or_stays_when_etcd_lacks_the_topic) {
    EXPECT_EQ(local_topic_fates(1, recorded(), {{"t", unsettled_incarnation}, {"local", unsettled_incarnation}}),
              (std::vector<topic_decision>{{"t", topic_fate::stamp, 40}}))
        << "'local' is not recorded in etcd (a topic of this broker alone): kept";
}

TEST(cluster_replica_roles_test, a_copy_made_outside_a_cluster_is_never_dropped_or_replaced) {
    auto fates = local_topic_fates(1, recorded(), {{"old", no_incarnation}, {"t", no_incarnation}});
    EXPECT_EQ(fates, (std::vector<topic_decision>{{"old", topic_fate::unrecorded, no_incarnation},
                                                  {"t", topic_fate::unrecorded, no_incarnation}}));
}

TEST(cluster_replica_roles_test, a_view_without_partition_zero_decides_nothing_for_the_topic) {
    std::vector<partition_view> partial{{"t", 1, 2, 0, {2, 1}, {2, 1}, 40}};
    EXPECT_TRUE(local_topic_fates(1, partial, {{"t", 12}, {"t2", unsettled_incarnation}}).empty());
}

}  // namespace
}  // namespace gafka::cluster
