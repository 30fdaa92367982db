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

}  // namespace
}  // namespace gafka::cluster
