#include "gafka/server/cluster_topics.h"

#include <gtest/gtest.h>

namespace gafka::server {
namespace {

cluster::cluster_view two_topics() {
    cluster::cluster_view v;
    v.partitions.push_back({"orders", 0, 1, 0, {1, 2}, {1, 2}});
    v.partitions.push_back({"orders", 1, 2, 0, {2, 3}, {2, 3}});
    v.partitions.push_back({"orders", 2, 3, 0, {3, 1}, {3}});
    v.partitions.push_back({"solo", 0, 3, 0, {3}, {3}});
    return v;
}

TEST(cluster_topics_test, a_recorded_topic_stands_with_its_partition_count_and_this_brokers_share) {
    auto v = two_topics();
    auto orders = standing_of(v, 2, "orders");
    EXPECT_TRUE(orders.recorded);
    EXPECT_TRUE(orders.replica);
    EXPECT_EQ(orders.partitions, 3);
    auto solo = standing_of(v, 2, "solo");
    EXPECT_TRUE(solo.recorded);
    EXPECT_FALSE(solo.replica) << "broker 2 holds no replica of solo";
    EXPECT_EQ(solo.partitions, 1);
    EXPECT_TRUE(standing_of(v, 3, "solo").replica);
}

TEST(cluster_topics_test, a_topic_etcd_does_not_have_is_not_recorded) {
    auto none = standing_of(two_topics(), 1, "new");
    EXPECT_FALSE(none.recorded);
    EXPECT_FALSE(none.replica);
    EXPECT_EQ(none.partitions, 0);
}

TEST(cluster_topics_test, the_record_carries_the_topics_config) {
    broker::topic_config c;
    c.partitions = 4;
    c.retention_ms = 60000;
    c.retention_bytes = 4096;
    c.compression = log::compression_type::lz4;
    EXPECT_EQ(record_of(c, 2), (cluster::topic_record{4, 2, 60000, 4096, log::compression_type::lz4}));
    EXPECT_EQ(record_of(broker::topic_config{}, 0), (cluster::topic_record{1, 0, -1, -1, log::compression_type::producer}));
}

}  // namespace
}  // namespace gafka::server
