#include "gafka/cluster/etcd_client.h"
#include "gafka/cluster/registration.h"

#include <gtest/gtest.h>

namespace gafka::cluster {
namespace {

TEST(etcd_registration_test, keys_live_under_one_prefix_per_cluster_name) {
    cluster_keys k("prod");
    EXPECT_EQ(k.root, "/gafka/prod/");
    EXPECT_EQ(k.broker(3), "/gafka/prod/brokers/3");
    EXPECT_EQ(k.controller, "/gafka/prod/controller");
}

TEST(etcd_registration_test, cluster_names_follow_topic_name_rules) {
    EXPECT_TRUE(check_cluster_name("gafka").ok());
    EXPECT_FALSE(check_cluster_name("").ok());
    EXPECT_FALSE(check_cluster_name("a/b").ok());
    EXPECT_FALSE(check_cluster_name("..").ok());
}

TEST(etcd_registration_test, broker_value_round_trips_with_and_without_kafka) {
    broker_registration b{7, "10.0.0.7", 9001, "10.0.0.7", 9092, true};
    auto back = decode_broker(encode_broker(b));
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->id, 7);
    EXPECT_EQ(back->host, "10.0.0.7");
    EXPECT_EQ(back->port, 9001);
    EXPECT_EQ(back->kafka_host, "10.0.0.7");
    EXPECT_EQ(back->kafka_port, 9092);
    auto http_only = decode_broker(encode_broker({2, "h", 1, "", 0, true}));
    ASSERT_TRUE(http_only.ok());
    EXPECT_TRUE(http_only->kafka_host.empty());
    EXPECT_EQ(encode_broker({2, "h", 1, "", 0, true}).find("kafka"), std::string::npos);
}

TEST(etcd_registration_test, rejects_broker_values_without_id_host_or_port) {
    EXPECT_FALSE(decode_broker("{}").ok());
    EXPECT_FALSE(decode_broker(R"({"id":1,"host":"h"})").ok());
    EXPECT_FALSE(decode_broker(R"({"id":1,"host":"h","port":70000})").ok());
    EXPECT_FALSE(decode_broker("[]").ok());
}

TEST(etcd_registration_test, controller_value_round_trips) {
    auto id = decode_controller(encode_controller(3));
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, 3);
    EXPECT_FALSE(decode_controller(R"({"id":-1})").ok());
}

TEST(etcd_registration_test, cluster_url_needs_the_etcd_scheme_and_host_ports) {
    auto one = parse_cluster_url("etcd://127.0.0.1:2379");
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].port, 2379);
    auto three = parse_cluster_url("etcd://a:1,b:2,c:3");
    ASSERT_TRUE(three.ok());
    EXPECT_EQ(three->size(), 3u);
    EXPECT_FALSE(parse_cluster_url("http://a:1").ok());
    EXPECT_FALSE(parse_cluster_url("etcd://").ok());
    EXPECT_FALSE(parse_cluster_url("etcd://a").ok());
}

}  // namespace
}  // namespace gafka::cluster
