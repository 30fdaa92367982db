#include "gafka/broker/group_directory.h"

#include <gtest/gtest.h>

namespace gafka::broker {
namespace {

class group_directory_test : public ::testing::Test {
protected:
    group_coordinator groups_{[](const std::string&) { return 1; },
                              [](const std::string&, const topic_partition&, log::offset_t) { return status{}; }};
    classic_groups kafka_groups_;

    // A Kafka member in `group`, as a JoinGroup v0 makes one.
    void join_kafka(const std::string& group) {
        join_request r;
        r.group = group;
        r.protocol_type = "consumer";
        r.protocols = {{"range", "meta"}};
        std::string id;
        kafka_groups_.join(r, id, 1000);
        ASSERT_TRUE(kafka_groups_.join_done(group, id, 1000));
    }
};

TEST_F(group_directory_test, lists_both_registries_sorted_a_group_with_kafka_members_as_theirs) {
    ASSERT_TRUE(groups_.commit("offsets-only", {"t", 0}, 0).ok());
    join_kafka("kafka");
    auto all = list_groups(groups_, &kafka_groups_);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].group_id, "kafka");
    EXPECT_TRUE(all[0].kafka);
    EXPECT_EQ(all[0].generation, 1);
    EXPECT_EQ(all[0].members, 1u);
    EXPECT_EQ(all[0].protocol_type, "consumer");
    EXPECT_EQ(all[1].group_id, "offsets-only");
    EXPECT_FALSE(all[1].kafka);
    EXPECT_EQ(all[1].members, 0u);
    EXPECT_EQ(all[1].protocol_type, "");
    EXPECT_EQ(list_groups(groups_, nullptr).size(), 1u) << "without a Kafka listener, gafka's groups alone";
}

TEST_F(group_directory_test, kafka_members_of_is_empty_for_a_group_without_kafka_members) {
    join_kafka("kafka");
    ASSERT_TRUE(kafka_members_of(&kafka_groups_, "kafka"));
    EXPECT_EQ(kafka_members_of(&kafka_groups_, "kafka")->members.size(), 1u);
    EXPECT_FALSE(kafka_members_of(&kafka_groups_, "other"));
    EXPECT_FALSE(kafka_members_of(nullptr, "kafka"));
    auto id = kafka_members_of(&kafka_groups_, "kafka")->members[0].member_id;
    ASSERT_EQ(kafka_groups_.leave("kafka", id, 1100), group_error::none);
    EXPECT_FALSE(kafka_members_of(&kafka_groups_, "kafka")) << "an emptied Kafka group is no longer theirs";
}

}  // namespace
}  // namespace gafka::broker
