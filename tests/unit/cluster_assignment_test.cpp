#include "gafka/cluster/assignment.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "gafka/util/text.h"

namespace gafka::cluster {
namespace {

TEST(cluster_assignment_test, leaders_spread_evenly_and_replicas_are_distinct) {
    for (std::uint32_t start : {0u, 1u, 2u, 7u, 4000000000u}) {
        auto a = assign_replicas({3, 1, 2}, 6, 3, start);
        ASSERT_TRUE(a.ok()) << a.error().message();
        ASSERT_EQ(a->size(), 6u);
        std::map<std::int32_t, int> leaders;
        for (const auto& p : *a) {
            ++leaders[p.leader];
            EXPECT_EQ(p.leader, p.replicas.front());
            EXPECT_EQ(std::set<std::int32_t>(p.replicas.begin(), p.replicas.end()).size(), 3u);
            EXPECT_EQ(p.isr, p.replicas);
            EXPECT_EQ(p.leader_epoch, 0);
        }
        EXPECT_EQ(leaders, (std::map<std::int32_t, int>{{1, 2}, {2, 2}, {3, 2}})) << "start " << start;
    }
}

TEST(cluster_assignment_test, start_offset_rotates_the_first_leader) {
    auto a = assign_replicas({10, 20, 30}, 3, 2, 1);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)[0].replicas, (std::vector<std::int32_t>{20, 30}));
    EXPECT_EQ((*a)[1].replicas, (std::vector<std::int32_t>{30, 10}));
    EXPECT_EQ((*a)[2].replicas, (std::vector<std::int32_t>{10, 20}));
}

TEST(cluster_assignment_test, leaders_differ_by_at_most_one_when_uneven) {
    auto a = assign_replicas({1, 2, 3, 4}, 7, 2, assignment_start("t"));
    ASSERT_TRUE(a.ok());
    std::map<std::int32_t, int> leaders;
    for (const auto& p : *a) ++leaders[p.leader];
    ASSERT_EQ(leaders.size(), 4u);
    for (auto [id, n] : leaders) EXPECT_TRUE(n == 1 || n == 2) << id << ": " << n;
}

TEST(cluster_assignment_test, a_factor_above_the_live_brokers_or_below_one_is_refused) {
    auto too_many = assign_replicas({1, 2, 3}, 6, 4, 0);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.error().code(), status_code::invalid_argument);
    EXPECT_FALSE(assign_replicas({1, 2, 3}, 6, 0, 0).ok());
    EXPECT_FALSE(assign_replicas({}, 1, 1, 0).ok());
    EXPECT_FALSE(assign_replicas({1, 1, 1}, 1, 2, 0).ok()) << "duplicate ids are one broker";
}

TEST(cluster_assignment_test, default_factor_is_min_three_and_live_brokers_unless_configured) {
    EXPECT_EQ(default_replication_factor(0, 1), 1);
    EXPECT_EQ(default_replication_factor(0, 2), 2);
    EXPECT_EQ(default_replication_factor(0, 5), 3);
    EXPECT_EQ(default_replication_factor(2, 5), 2);
    EXPECT_EQ(default_replication_factor(4, 3), 4) << "refused later by assign_replicas, not silently lowered";
}

TEST(cluster_assignment_test, partition_values_and_keys_round_trip) {
    cluster_keys k("c");
    EXPECT_EQ(topic_key(k, "orders"), "/gafka/c/topics/orders");
    EXPECT_EQ(partition_key(k, "orders", 5), "/gafka/c/partitions/orders/5");
    auto where = parse_partition_key(k, "/gafka/c/partitions/orders/5");
    ASSERT_TRUE(where.ok());
    EXPECT_EQ(where->first, "orders");
    EXPECT_EQ(where->second, 5);
    EXPECT_FALSE(parse_partition_key(k, "/gafka/c/partitions/orders/x").ok());
    EXPECT_FALSE(parse_partition_key(k, "/gafka/c/brokers/1").ok());
    EXPECT_FALSE(parse_partition_key(k, "/gafka/c/partitions/5").ok());

    partition_state p{2, 4, {2, 3, 1}, {2, 3}, 19};
    EXPECT_EQ(encode_partition(p),
              R"({"leader":2,"leader_epoch":4,"replicas":[2,3,1],"isr":[2,3],"controller_epoch":19})");
    auto back = decode_partition(encode_partition(p));
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->leader, 2);
    EXPECT_EQ(back->leader_epoch, 4);
    EXPECT_EQ(back->replicas, p.replicas);
    EXPECT_EQ(back->isr, p.isr);
    EXPECT_EQ(back->controller_epoch, 19);
    EXPECT_FALSE(decode_partition(R"({"leader":1})").ok());
    EXPECT_FALSE(decode_partition(R"({"leader":1,"leader_epoch":0,"replicas":[],"isr":[],"controller_epoch":1})").ok());

    auto t = decode_topic(encode_topic({6, 3}));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->partitions, 6);
    EXPECT_EQ(t->replication_factor, 3);
    EXPECT_FALSE(decode_topic("{}").ok());
}

TEST(cluster_assignment_test, topic_value_carries_the_config_every_replica_creates_its_copy_with) {
    const topic_record t{6, 3, 86400000, 1048576, log::compression_type::zstd};
    EXPECT_EQ(encode_topic(t),
              R"({"partitions":6,"replication_factor":3,"retention_ms":86400000,"retention_bytes":1048576,)"
              R"("compression":"zstd"})");
    auto back = decode_topic(encode_topic(t));
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, t);
    EXPECT_EQ(encode_topic({2, 1}),
              R"({"partitions":2,"replication_factor":1,"retention_ms":-1,"retention_bytes":-1,"compression":"producer"})");
}

TEST(cluster_assignment_test, topic_value_without_the_config_decodes_with_the_defaults) {
    auto old = decode_topic(R"({"partitions":6,"replication_factor":3})");
    ASSERT_TRUE(old.ok()) << old.error().message();
    EXPECT_EQ(*old, (topic_record{6, 3, -1, -1, log::compression_type::producer}));
    auto some = decode_topic(R"({"partitions":1,"replication_factor":1,"retention_ms":5000})");
    ASSERT_TRUE(some.ok());
    EXPECT_EQ(some->retention_ms, 5000);
    EXPECT_EQ(some->retention_bytes, -1);
}

TEST(cluster_assignment_test, topic_value_with_a_bad_config_is_corrupt) {
    for (const char* bad : {R"({"partitions":1,"replication_factor":1,"retention_ms":-2})",
                            R"({"partitions":1,"replication_factor":1,"retention_bytes":"1"})",
                            R"({"partitions":1,"replication_factor":1,"compression":"brotli"})",
                            R"({"partitions":1,"replication_factor":1,"compression":4})"}) {
        auto t = decode_topic(bad);
        ASSERT_FALSE(t.ok()) << bad;
        EXPECT_EQ(t.error().code(), status_code::corruption) << bad;
    }
}

TEST(cluster_assignment_test, topic_keys_parse_back_to_their_topic) {
    cluster_keys k("c");
    auto name = parse_topic_key(k, topic_key(k, "orders.v2"));
    ASSERT_TRUE(name.ok());
    EXPECT_EQ(*name, "orders.v2");
    EXPECT_FALSE(parse_topic_key(k, "/gafka/c/topics/").ok());
    EXPECT_FALSE(parse_topic_key(k, "/gafka/c/topics/a/b").ok());
    EXPECT_FALSE(parse_topic_key(k, partition_key(k, "orders", 0)).ok());
    EXPECT_FALSE(parse_topic_key(k, "/gafka/other/topics/orders").ok());
}

TEST(cluster_assignment_test, create_txn_is_guarded_by_the_controller_epoch_and_the_topic_key_absent) {
    cluster_keys k("c");
    auto parts = assign_replicas({1, 2}, 2, 2, 0);
    ASSERT_TRUE(parts.ok());
    auto t = create_topic_txn(k, "orders", {2, 2}, *parts, 42);
    ASSERT_EQ(t.compares.size(), 2u);
    EXPECT_EQ(t.compares[0].what, compare::target::create_revision);
    EXPECT_EQ(t.compares[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.compares[0].revision, 42);
    EXPECT_EQ(t.compares[1].key, "/gafka/c/topics/orders");
    EXPECT_EQ(t.compares[1].revision, 0);
    ASSERT_EQ(t.success.size(), 3u);
    EXPECT_EQ(t.success[1].key, "/gafka/c/partitions/orders/0");
    EXPECT_EQ(t.success[2].key, "/gafka/c/partitions/orders/1");
    for (const auto& op : t.success) EXPECT_EQ(op.lease, 0) << "partition state outlives the controller";
    ASSERT_EQ(t.failure.size(), 2u);
    auto json = encode(t);
    EXPECT_NE(json.find(R"("target":"CREATE","create_revision":"42")"), std::string::npos) << json;
    EXPECT_NE(json.find(util::base64_encode("/gafka/c/partitions/orders/1")), std::string::npos);
}

TEST(cluster_assignment_test, add_partitions_txn_guards_the_epoch_the_topic_revision_and_the_new_keys) {
    cluster_keys k("c");
    auto all = assign_replicas({1, 2, 3}, 5, 2, 0);
    ASSERT_TRUE(all.ok());
    std::vector<partition_state> added(all->begin() + 3, all->end());
    auto t = add_partitions_txn(k, "orders", {5, 2}, 61, 3, added, 42);
    ASSERT_EQ(t.compares.size(), 4u);
    EXPECT_EQ(t.compares[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.compares[0].revision, 42);
    EXPECT_EQ(t.compares[1].what, compare::target::mod_revision);
    EXPECT_EQ(t.compares[1].key, "/gafka/c/topics/orders");
    EXPECT_EQ(t.compares[1].revision, 61);
    EXPECT_EQ(t.compares[2].what, compare::target::create_revision);
    EXPECT_EQ(t.compares[2].key, "/gafka/c/partitions/orders/3");
    EXPECT_EQ(t.compares[2].revision, 0);
    EXPECT_EQ(t.compares[3].key, "/gafka/c/partitions/orders/4");
    ASSERT_EQ(t.success.size(), 3u);
    EXPECT_EQ(t.success[0].key, "/gafka/c/topics/orders");
    EXPECT_EQ(t.success[0].value, encode_topic({5, 2}));
    EXPECT_EQ(t.success[1].key, "/gafka/c/partitions/orders/3");
    EXPECT_EQ(t.success[1].value, encode_partition(added[0]));
    EXPECT_EQ(t.success[2].key, "/gafka/c/partitions/orders/4");
    for (const auto& op : t.success) EXPECT_EQ(op.lease, 0);
    // Partitions 0-2 are neither compared nor written: they keep their state.
    for (const auto& op : t.success) EXPECT_EQ(op.key.find("/orders/0"), std::string::npos);
    ASSERT_EQ(t.failure.size(), 2u);
    EXPECT_EQ(t.failure[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.failure[1].key, "/gafka/c/topics/orders");
    // The new leaders continue the round-robin: 3 -> broker 1, 4 -> broker 2.
    EXPECT_EQ(added[0].leader, 1);
    EXPECT_EQ(added[1].leader, 2);
}

TEST(cluster_assignment_test, update_txn_is_a_compare_and_swap_on_the_mod_revision) {
    cluster_keys k("c");
    partition_state next{3, 1, {1, 2, 3}, {2, 3}, 50};
    auto t = update_partition_txn(k, "orders", 0, next, 77, 50);
    ASSERT_EQ(t.compares.size(), 2u);
    EXPECT_EQ(t.compares[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.compares[0].revision, 50);
    EXPECT_EQ(t.compares[1].what, compare::target::mod_revision);
    EXPECT_EQ(t.compares[1].key, "/gafka/c/partitions/orders/0");
    EXPECT_EQ(t.compares[1].revision, 77);
    ASSERT_EQ(t.success.size(), 1u);
    EXPECT_EQ(t.success[0].value, encode_partition(next));
    EXPECT_NE(encode(t).find(R"("target":"MOD","mod_revision":"77")"), std::string::npos);
}

TEST(cluster_assignment_test, delete_txn_removes_the_topic_key_and_its_partition_keys_guarded_by_epoch_and_revision) {
    cluster_keys k("c");
    auto t = delete_topic_txn(k, "orders", 61, 50);
    ASSERT_EQ(t.compares.size(), 2u);
    EXPECT_EQ(t.compares[0].what, compare::target::create_revision);
    EXPECT_EQ(t.compares[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.compares[0].revision, 50);
    EXPECT_EQ(t.compares[1].what, compare::target::mod_revision);
    EXPECT_EQ(t.compares[1].key, "/gafka/c/topics/orders");
    EXPECT_EQ(t.compares[1].revision, 61);
    ASSERT_EQ(t.success.size(), 2u);
    EXPECT_EQ(t.success[0].op, txn_op::kind::remove);
    EXPECT_EQ(t.success[0].key, "/gafka/c/topics/orders");
    EXPECT_TRUE(t.success[0].range_end.empty()) << "the topic key alone";
    EXPECT_EQ(t.success[1].op, txn_op::kind::remove);
    EXPECT_EQ(t.success[1].key, "/gafka/c/partitions/orders/");
    EXPECT_EQ(t.success[1].range_end, "/gafka/c/partitions/orders0") << "'/' + 1: every partition, no other topic";
    // The range covers orders' partitions, and not those of a topic whose name starts with "orders".
    EXPECT_LT(t.success[1].key, partition_key(k, "orders", 99));
    EXPECT_GT(t.success[1].range_end, partition_key(k, "orders", 99));
    EXPECT_FALSE(partition_key(k, "orders2", 0) >= t.success[1].key && partition_key(k, "orders2", 0) < t.success[1].range_end);
    EXPECT_FALSE(partition_key(k, "orders.x", 0) >= t.success[1].key && partition_key(k, "orders.x", 0) < t.success[1].range_end);
    ASSERT_EQ(t.failure.size(), 2u);
    EXPECT_EQ(t.failure[0].key, "/gafka/c/controller");
    EXPECT_EQ(t.failure[1].key, "/gafka/c/topics/orders");
    auto json = encode(t);
    EXPECT_NE(json.find("request_delete_range"), std::string::npos) << json;
    EXPECT_NE(json.find(util::base64_encode("/gafka/c/partitions/orders0")), std::string::npos) << json;
}

}  // namespace
}  // namespace gafka::cluster
