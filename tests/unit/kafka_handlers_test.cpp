// The Kafka listener's non-data APIs (kafka/dispatch.h, kafka/handlers/):
// the dispatch table and the ApiVersions answer made from it, the one
// status -> Kafka error table, and the Metadata, CreateTopics, DeleteTopics,
// ListOffsets and SASL handlers run against a real topic manager in a
// temporary data dir.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "gafka/broker/core.h"
#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/producer_ids.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/kafka/api_table.h"
#include "gafka/kafka/dispatch.h"
#include "gafka/kafka/errors.h"
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/create_partitions.h"
#include "gafka/kafka/messages/create_topics.h"
#include "gafka/kafka/messages/delete_topics.h"
#include "gafka/kafka/messages/describe_groups.h"
#include "gafka/kafka/messages/init_producer_id.h"
#include "gafka/kafka/messages/list_groups.h"
#include "gafka/kafka/messages/list_offsets.h"
#include "gafka/kafka/messages/metadata.h"
#include "gafka/kafka/messages/sasl_authenticate.h"
#include "gafka/kafka/messages/sasl_handshake.h"
#include "test_support.h"

namespace gafka::kafka {
namespace {

using namespace std::literals;

TEST(kafka_dispatch_test, is_in_key_order_and_serves_only_what_the_codec_reads) {
    api_key_t last = -1;
    for (const auto& h : dispatch_table()) {
        EXPECT_GT(h.api->key, last);
        last = h.api->key;
        EXPECT_EQ(find_api(h.api->key), h.api) << h.api->name;
        EXPECT_TRUE(h.api->supported.contains(h.served.min) && h.api->supported.contains(h.served.max)) << h.api->name;
        EXPECT_EQ(find_handler(h.api->key), &h);
    }
}

TEST(kafka_dispatch_test, serves_the_data_metadata_admin_and_group_apis_and_nothing_it_does_not_know) {
    EXPECT_EQ(find_handler(1000), nullptr);
    for (auto key : {api_key::produce, api_key::fetch, api_key::api_versions, api_key::metadata, api_key::list_offsets, api_key::create_topics,
                     api_key::delete_topics, api_key::sasl_handshake, api_key::sasl_authenticate,
                     api_key::offset_commit, api_key::offset_fetch, api_key::find_coordinator, api_key::join_group,
                     api_key::heartbeat, api_key::leave_group, api_key::sync_group, api_key::describe_groups,
                     api_key::list_groups, api_key::init_producer_id,
                     api_key::create_partitions})
        EXPECT_NE(find_handler(key), nullptr) << key;
}

TEST(kafka_dispatch_test, only_api_versions_and_sasl_come_before_authentication) {
    for (const auto& h : dispatch_table()) {
        bool early = h.api->key == api_key::api_versions || h.api->key == api_key::sasl_handshake ||
                     h.api->key == api_key::sasl_authenticate;
        EXPECT_EQ(h.before_authentication, early) << h.api->name;
    }
}

TEST(kafka_api_versions_test, advertises_exactly_the_dispatch_table) {
    auto body = handlers::api_versions_answer(error_code::none);
    EXPECT_EQ(body.i16("error_code"), 0);
    const auto& keys = body.array("api_keys");
    ASSERT_EQ(keys.size(), dispatch_table().size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& h = dispatch_table()[i];
        EXPECT_EQ(keys[i].i16("api_key"), h.api->key);
        EXPECT_EQ(keys[i].i16("min_version"), h.served.min);
        EXPECT_EQ(keys[i].i16("max_version"), h.served.max);
    }
    EXPECT_EQ(handlers::api_versions_answer(error_code::unsupported_version).i16("error_code"), 35);
}

TEST(kafka_errors_test, map_each_status_to_the_code_a_kafka_client_acts_on) {
    EXPECT_EQ(from_status(status_code::ok), error_code::none);
    EXPECT_EQ(from_status(status::not_found("x")), error_code::unknown_topic_or_partition);
    EXPECT_EQ(code(from_status(status_code::not_found)), 3);
    EXPECT_EQ(code(from_status(status_code::not_leader)), 6);
    EXPECT_EQ(code(from_status(status_code::out_of_range)), 1);
    EXPECT_EQ(code(from_status(status_code::too_large)), 10);
    EXPECT_EQ(code(from_status(status_code::already_exists)), 36);
    EXPECT_EQ(code(from_status(status_code::invalid_argument)), 42);
    EXPECT_EQ(code(from_status(status_code::conflict)), 45);
    EXPECT_EQ(code(from_status(status_code::io_error)), 56);
    EXPECT_EQ(code(from_status(status_code::no_space)), 56);
    EXPECT_EQ(code(from_status(status_code::corruption)), 56);
    EXPECT_EQ(code(from_status(status_code::unavailable)), 5);
}

TEST(kafka_sasl_test, parse_plain_reads_rfc_4616_messages_only) {
    auto c = handlers::parse_plain("\0user\0pass"sv);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "");
    EXPECT_EQ(c->user, "user");
    EXPECT_EQ(c->password, "pass");
    auto z = handlers::parse_plain("admin\0u\0p w"sv);
    ASSERT_TRUE(z);
    EXPECT_EQ(z->authzid, "admin");
    EXPECT_EQ(z->password, "p w");
    EXPECT_FALSE(handlers::parse_plain("userpass"));
    EXPECT_FALSE(handlers::parse_plain("\0userpass"sv));
    EXPECT_FALSE(handlers::parse_plain("\0\0pass"sv));        // no user name
    EXPECT_FALSE(handlers::parse_plain("\0u\0pa\0ss"sv));     // a NUL in the password
}

class kafka_handlers_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto t = broker::topic_manager::open(tmp_.path(), 7, {}, {});
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        topics_ = std::move(*t);
        auto o = broker::offsets_store::open(tmp_.path(), {});
        ASSERT_TRUE(o.ok()) << o.error().to_string();
        offsets_ = std::move(*o);
        groups_ = std::make_unique<broker::group_coordinator>(
            [this](const std::string& topic) {
                auto found = topics_->find(topic);
                return found ? static_cast<std::int32_t>(found->partitions.size()) : 0;
            },
            [](const std::string&, const broker::topic_partition&, log::offset_t) { return status{}; });
        ctx_ = std::make_unique<broker_context>(*topics_, *groups_, *offsets_);
        ctx_->node_id = 7;
        ctx_->host = "kafka.example";
        ctx_->port = 19092;
        ctx_->default_partitions = 3;
        conn_ = std::make_unique<connection_context>(connection_context{*ctx_, "test"});
    }
    void TearDown() override {
        if (offsets_) {
            EXPECT_TRUE(offsets_->close().ok());
        }
        if (topics_) {
            EXPECT_TRUE(topics_->close().ok());
        }
    }

    // Runs a handler to its end on a private io_context.
    value call(handler_fn fn, const api_schema& api, api_version_t version, value body) {
        request req;
        req.header = {api.key, version, 42, "test"};
        req.api = &api;
        req.body = std::move(body);
        boost::asio::io_context io;
        auto fut = boost::asio::co_spawn(io, fn(req, *conn_), boost::asio::use_future);
        io.run();
        auto answer = fut.get();
        EXPECT_TRUE(answer.has_value());
        return answer ? answer->body : value();
    }

    value metadata_request(std::vector<std::string> names, bool allow_create = true) {
        auto req = value::make(*messages::metadata.request);
        req.at("topics").items();  // a list, not null (all), even when empty
        for (auto& n : names) req.add("topics").set("name", n);
        req.set("allow_auto_topic_creation", allow_create);
        return req;
    }

    test::temp_dir tmp_;
    std::unique_ptr<broker::topic_manager> topics_;
    std::unique_ptr<broker::offsets_store> offsets_;
    std::unique_ptr<broker::group_coordinator> groups_;
    std::unique_ptr<broker_context> ctx_;
    std::unique_ptr<connection_context> conn_;
};

TEST_F(kafka_handlers_test, metadata_names_this_broker_as_the_only_broker_leader_and_controller) {
    ASSERT_TRUE(topics_->create("orders", {.partitions = 2}).ok());
    auto all = value::make(*messages::metadata.request);
    all.set_null("topics");
    auto body = handlers::metadata_answer(*ctx_, all, 9);
    ASSERT_EQ(body.array("brokers").size(), 1u);
    EXPECT_EQ(body.array("brokers")[0].i32("node_id"), 7);
    EXPECT_EQ(body.array("brokers")[0].str("host"), "kafka.example");
    EXPECT_EQ(body.array("brokers")[0].i32("port"), 19092);
    EXPECT_EQ(body.i32("controller_id"), 7);
    ASSERT_EQ(body.array("topics").size(), 1u);
    const auto& t = body.array("topics")[0];
    EXPECT_EQ(t.str("name"), "orders");
    EXPECT_EQ(t.i16("error_code"), 0);
    ASSERT_EQ(t.array("partitions").size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& p = t.array("partitions")[i];
        EXPECT_EQ(p.i32("partition_index"), static_cast<std::int32_t>(i));
        EXPECT_EQ(p.i32("leader_id"), 7);
        ASSERT_EQ(p.array("replica_nodes").size(), 1u);
        EXPECT_EQ(p.array("replica_nodes")[0].integer(), 7);
        ASSERT_EQ(p.array("isr_nodes").size(), 1u);
        EXPECT_EQ(p.array("isr_nodes")[0].integer(), 7);
    }
}

TEST_F(kafka_handlers_test, metadata_v0_reads_an_empty_topic_list_as_all_topics) {
    ASSERT_TRUE(topics_->create("a", {}).ok());
    ASSERT_TRUE(topics_->create("b", {}).ok());
    EXPECT_EQ(handlers::metadata_answer(*ctx_, metadata_request({}), 0).array("topics").size(), 2u);
    // From version 1 an empty list is no topic (null is all).
    EXPECT_EQ(handlers::metadata_answer(*ctx_, metadata_request({}), 1).array("topics").size(), 0u);
}

TEST_F(kafka_handlers_test, metadata_creates_a_topic_when_the_request_and_the_broker_allow_it) {
    auto body = handlers::metadata_answer(*ctx_, metadata_request({"fresh", "fresh"}), 4);
    ASSERT_EQ(body.array("topics").size(), 1u);  // named twice, answered once
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 0);
    EXPECT_EQ(body.array("topics")[0].array("partitions").size(), 3u);  // default_partitions
    ASSERT_NE(topics_->find("fresh"), nullptr);
}

TEST_F(kafka_handlers_test, metadata_does_not_create_when_the_request_or_the_broker_says_no) {
    auto body = handlers::metadata_answer(*ctx_, metadata_request({"nope"}, false), 4);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 3);
    ctx_->auto_create_topics = false;
    body = handlers::metadata_answer(*ctx_, metadata_request({"nope"}, true), 9);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 3);
    body = handlers::metadata_answer(*ctx_, metadata_request({"nope"}), 3);  // before v4 the broker decides
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 3);
    EXPECT_EQ(topics_->find("nope"), nullptr);
}

TEST_F(kafka_handlers_test, metadata_refuses_a_name_that_is_not_a_topic_name_with_17) {
    auto body = handlers::metadata_answer(*ctx_, metadata_request({"../etc"}), 9);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 17);
    EXPECT_TRUE(topics_->list().empty());
}

// A cluster of brokers 7 (this one), 8 and 9 (9 gone, 10 without a Kafka
// listener), controller 8; "orders" recorded in etcd, "local" on this broker only.
cluster::cluster_view three_broker_cluster() {
    cluster::cluster_view c;
    c.controller_id = 8;
    c.brokers = {{7, "h7", 9007, "k7", 19007, true},
                 {8, "h8", 9008, "k8", 19008, true},
                 {9, "h9", 9009, "k9", 19009, false},
                 {10, "h10", 9010, "", 0, true}};
    c.partitions = {{"orders", 0, 8, 3, {8, 7}, {8, 7}},
                    {"orders", 1, 9, 1, {9, 8}, {9}},
                    {"orders", 2, 10, 0, {10, 7}, {10, 7}},
                    {"orders", 3, 7, 2, {7, 9}, {7}}};
    return c;
}

TEST_F(kafka_handlers_test, metadata_in_a_cluster_lists_the_live_kafka_brokers_controller_and_recorded_leaders) {
    ASSERT_TRUE(topics_->create("local", {.partitions = 1}).ok());
    ctx_->cluster = [] { return three_broker_cluster(); };
    auto all = value::make(*messages::metadata.request);
    all.set_null("topics");
    auto body = handlers::metadata_answer(*ctx_, all, 9);
    ASSERT_EQ(body.array("brokers").size(), 2u);  // 9 is gone, 10 has no Kafka listener
    EXPECT_EQ(body.array("brokers")[0].i32("node_id"), 7);
    EXPECT_EQ(body.array("brokers")[1].i32("node_id"), 8);
    EXPECT_EQ(body.array("brokers")[1].str("host"), "k8");
    EXPECT_EQ(body.array("brokers")[1].i32("port"), 19008);
    EXPECT_EQ(body.i32("controller_id"), 8);
    ASSERT_EQ(body.array("topics").size(), 2u);
    EXPECT_EQ(body.array("topics")[0].str("name"), "local");  // as a lone broker: this one leads it
    EXPECT_EQ(body.array("topics")[0].array("partitions")[0].i32("leader_id"), 7);
    const auto& t = body.array("topics")[1];
    EXPECT_EQ(t.str("name"), "orders");
    ASSERT_EQ(t.array("partitions").size(), 4u);
    auto ids = [](const value& list) {
        std::vector<std::int64_t> out;
        for (const auto& x : list.items()) out.push_back(x.integer());
        return out;
    };
    const auto& p0 = t.array("partitions")[0];
    EXPECT_EQ(p0.i16("error_code"), 0);
    EXPECT_EQ(p0.i32("leader_id"), 8);
    EXPECT_EQ(p0.i32("leader_epoch"), 3);
    EXPECT_EQ(ids(p0.at("replica_nodes")), (std::vector<std::int64_t>{8, 7}));
    EXPECT_EQ(ids(p0.at("isr_nodes")), (std::vector<std::int64_t>{8, 7}));
    for (std::size_t i : {1u, 2u}) {  // led by a gone broker, by one without a Kafka listener
        EXPECT_EQ(t.array("partitions")[i].i16("error_code"), 5) << i;
        EXPECT_EQ(t.array("partitions")[i].i32("leader_id"), -1) << i;
    }
    EXPECT_EQ(ids(t.array("partitions")[1].at("replica_nodes")), (std::vector<std::int64_t>{9, 8}));
    EXPECT_EQ(t.array("partitions")[3].i32("leader_id"), 7);
    // Asked by name: from etcd, not created here.
    body = handlers::metadata_answer(*ctx_, metadata_request({"orders"}), 9);
    EXPECT_EQ(body.array("topics")[0].array("partitions").size(), 4u);
    EXPECT_EQ(topics_->find("orders"), nullptr);
}

TEST_F(kafka_handlers_test, metadata_in_a_cluster_answers_alone_until_it_knows_a_live_broker) {
    ctx_->cluster = [] { return cluster::cluster_view{}; };
    auto body = handlers::metadata_answer(*ctx_, metadata_request({}), 9);
    ASSERT_EQ(body.array("brokers").size(), 1u);
    EXPECT_EQ(body.array("brokers")[0].i32("node_id"), 7);
    EXPECT_EQ(body.i32("controller_id"), 7);
}

TEST_F(kafka_handlers_test, create_topics_answers_each_topic_with_its_own_kafka_code) {
    auto req = value::make(*messages::create_topics.request);
    auto add = [&](std::string name, std::int32_t partitions, std::int16_t rf = -1) -> value& {
        return req.add("topics").set("name", name).set("num_partitions", partitions).set("replication_factor", rf);
    };
    add("good", 2);
    add("dflt", -1);
    add("bad name", 1);
    add("many", 101);
    add("rf3", 1, 3);
    add("good", 1);
    auto& conf = add("conf", 1);
    conf.add("configs").set("name", "retention.ms").set("value", "60000");
    auto& badconf = add("badconf", 1);
    badconf.add("configs").set("name", "cleanup.policy").set("value", "compact");
    auto body = call(&handlers::create_topics, messages::create_topics, 4, req);
    std::vector<std::pair<std::string, std::int16_t>> got;
    for (const auto& t : body.array("topics")) got.emplace_back(t.str("name"), t.i16("error_code"));
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::int16_t>>{
                       {"good", 0}, {"dflt", 0}, {"bad name", 17}, {"many", 37}, {"rf3", 38}, {"good", 42},
                       {"conf", 0}, {"badconf", 40}}));
    ASSERT_NE(topics_->find("good"), nullptr);
    EXPECT_EQ(topics_->find("good")->partitions.size(), 2u);
    EXPECT_EQ(topics_->find("dflt")->partitions.size(), 3u);
    EXPECT_EQ(topics_->find("conf")->config.retention_ms, 60000);
    EXPECT_EQ(topics_->find("badconf"), nullptr);
    // Again: the name is taken.
    auto again = value::make(*messages::create_topics.request);
    again.add("topics").set("name", "good").set("num_partitions", 1).set("replication_factor", 1);
    EXPECT_EQ(call(&handlers::create_topics, messages::create_topics, 0, again).array("topics")[0].i16("error_code"), 36);
}

TEST_F(kafka_handlers_test, create_topics_validate_only_creates_nothing) {
    auto req = value::make(*messages::create_topics.request);
    req.add("topics").set("name", "dry").set("num_partitions", 1).set("replication_factor", 1);
    req.set("validate_only", true);
    auto body = call(&handlers::create_topics, messages::create_topics, 1, req);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 0);
    EXPECT_EQ(topics_->find("dry"), nullptr);
}

// In a cluster a topic is created through the broker core's
// create_in_cluster (server/cluster_topics.h): what handlers ask of it.
struct cluster_creation {
    std::string name;
    broker::topic_config config;
    std::int32_t replication_factor = 0;
    bool forward = false;
};

class kafka_cluster_handlers_test : public kafka_handlers_test {
protected:
    void SetUp() override {
        kafka_handlers_test::SetUp();
        core_ = std::make_unique<broker::core>(*topics_, *groups_, *offsets_);
        core_->create_in_cluster = [this](const std::string& name, const broker::topic_config& c, std::int32_t rf,
                                          bool forward, std::function<void(status)> done) {
            asked_.push_back({name, c, rf, forward});
            done(name == "raced" ? status::already_exists("etcd has it") : status{});
        };
        ctx_->core = core_.get();
        view_ = three_broker_cluster();  // 7, 8 and 10 live
        ctx_->cluster = [this] { return view_; };
    }

    std::unique_ptr<broker::core> core_;
    cluster::cluster_view view_;
    std::vector<cluster_creation> asked_;
};

TEST_F(kafka_cluster_handlers_test, create_topics_records_through_the_controller_with_kafka_codes) {
    view_.controller_id = 7;
    view_.is_controller = true;
    auto req = value::make(*messages::create_topics.request);
    auto add = [&](std::string name, std::int16_t rf) -> value& {
        return req.add("topics").set("name", name).set("num_partitions", 2).set("replication_factor", rf);
    };
    add("rf3", 3).add("configs").set("name", "retention.ms").set("value", "60000");
    add("rf4", 4);
    add("rf0", 0);
    add("dflt", -1);
    add("orders", 1);  // etcd has it
    add("raced", 1);   // etcd gets it meanwhile
    auto body = call(&handlers::create_topics, messages::create_topics, 4, req);
    std::vector<std::pair<std::string, std::int16_t>> got;
    for (const auto& t : body.array("topics")) got.emplace_back(t.str("name"), t.i16("error_code"));
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::int16_t>>{
                       {"rf3", 0}, {"rf4", 38}, {"rf0", 38}, {"dflt", 0}, {"orders", 36}, {"raced", 36}}));
    EXPECT_NE(body.array("topics")[1].str("error_message").find("3 live broker(s)"), std::string::npos);
    ASSERT_EQ(asked_.size(), 3u);
    EXPECT_EQ(asked_[0].name, "rf3");
    EXPECT_EQ(asked_[0].replication_factor, 3);
    EXPECT_EQ(asked_[0].config.partitions, 2);
    EXPECT_EQ(asked_[0].config.retention_ms, 60000);
    EXPECT_FALSE(asked_[0].forward) << "CreateTopics is the controller's own";
    EXPECT_EQ(asked_[1].name, "dflt");
    EXPECT_EQ(asked_[1].replication_factor, 0);
    EXPECT_EQ(asked_[2].name, "raced");
    // Nothing is created here: the replicas create their copies from etcd.
    EXPECT_TRUE(topics_->list().empty());
}

TEST_F(kafka_cluster_handlers_test, create_topics_on_a_broker_that_is_not_the_controller_is_41_and_validate_only_asks_nothing) {
    auto req = value::make(*messages::create_topics.request);
    req.add("topics").set("name", "new").set("num_partitions", 1).set("replication_factor", 2);
    auto body = call(&handlers::create_topics, messages::create_topics, 4, req);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 41);
    EXPECT_NE(body.array("topics")[0].str("error_message").find("broker 8 is"), std::string::npos);
    view_.controller_id = 7;
    view_.is_controller = true;
    req.set("validate_only", true);
    body = call(&handlers::create_topics, messages::create_topics, 4, req);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 0);
    req.at("topics").items()[0].set("replication_factor", 4);
    body = call(&handlers::create_topics, messages::create_topics, 4, req);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 38);
    EXPECT_TRUE(asked_.empty());
    EXPECT_TRUE(topics_->list().empty());
}

TEST_F(kafka_cluster_handlers_test, metadata_asks_the_cluster_for_a_new_topic_and_answers_5_meanwhile) {
    auto body = handlers::metadata_answer(*ctx_, metadata_request({"fresh"}), 9);
    EXPECT_EQ(body.array("topics")[0].str("name"), "fresh");
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 5);
    ASSERT_EQ(asked_.size(), 1u);
    EXPECT_EQ(asked_[0].name, "fresh");
    EXPECT_EQ(asked_[0].config.partitions, 3);  // --default-partitions
    EXPECT_EQ(asked_[0].replication_factor, 0);
    EXPECT_TRUE(asked_[0].forward) << "any broker asks the controller";
    EXPECT_EQ(topics_->find("fresh"), nullptr) << "never created here before etcd has it";
    // Not asked for, or not allowed: 3 and nothing asked.
    body = handlers::metadata_answer(*ctx_, metadata_request({"other"}, false), 9);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 3);
    ctx_->auto_create_topics = false;
    body = handlers::metadata_answer(*ctx_, metadata_request({"other"}, true), 9);
    EXPECT_EQ(body.array("topics")[0].i16("error_code"), 3);
    EXPECT_EQ(asked_.size(), 1u);
}

TEST_F(kafka_handlers_test, create_partitions_grows_topics_and_answers_each_with_its_own_kafka_code) {
    ASSERT_TRUE(topics_->create("grow", {.partitions = 2}).ok());
    ASSERT_TRUE(topics_->create("keep", {.partitions = 3}).ok());
    auto req = value::make(*messages::create_partitions.request);
    auto add = [&](std::string name, std::int32_t count) -> value& {
        return req.add("topics").set("name", name).set("count", count);
    };
    add("grow", 4);
    add("keep", 3);
    add("nope", 2);
    add("grow", 5);
    add("keep", 101);
    add("keep", 4).add("assignments");  // one assignment: given at all is refused
    auto body = call(&handlers::create_partitions, messages::create_partitions, 1, req);
    std::vector<std::pair<std::string, std::int16_t>> got;
    for (const auto& r : body.array("results")) got.emplace_back(r.str("name"), r.i16("error_code"));
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::int16_t>>{
                       {"grow", 0}, {"keep", 37}, {"nope", 3}, {"grow", 42}, {"keep", 42}, {"keep", 42}}));
    EXPECT_EQ(topics_->find("grow")->partitions.size(), 4u);
    EXPECT_EQ(topics_->find("keep")->partitions.size(), 3u);
    EXPECT_NE(std::string(*body.array("results")[1].nullable_str("error_message")).find("has 3 partitions"),
              std::string::npos);
}

TEST_F(kafka_handlers_test, create_partitions_refuses_assignments_and_validate_only_changes_nothing) {
    ASSERT_TRUE(topics_->create("grow", {.partitions = 1}).ok());
    auto req = value::make(*messages::create_partitions.request);
    req.add("topics").set("name", "grow").set("count", 3).add("assignments");
    EXPECT_EQ(call(&handlers::create_partitions, messages::create_partitions, 0, req).array("results")[0].i16("error_code"),
              39);
    auto dry = value::make(*messages::create_partitions.request);
    dry.add("topics").set("name", "grow").set("count", 3);
    dry.add("topics").set("name", "grow2").set("count", 3);
    dry.set("validate_only", true);
    auto body = call(&handlers::create_partitions, messages::create_partitions, 0, dry);
    EXPECT_EQ(body.array("results")[0].i16("error_code"), 0);
    EXPECT_EQ(body.array("results")[1].i16("error_code"), 3);
    EXPECT_EQ(topics_->find("grow")->partitions.size(), 1u);
}

TEST_F(kafka_handlers_test, init_producer_id_hands_out_fresh_ids_at_epoch_0_and_refuses_transactions) {
    auto req = value::make(*messages::init_producer_id.request);
    auto first = call(&handlers::init_producer_id, messages::init_producer_id, 1, req);
    auto second = call(&handlers::init_producer_id, messages::init_producer_id, 0, req);
    for (const auto& body : {first, second}) {
        EXPECT_EQ(body.i16("error_code"), 0);
        EXPECT_GE(body.i64("producer_id"), 0);
        EXPECT_LT(body.i64("producer_id"), broker::producer_id_limit);
        EXPECT_EQ(body.i16("producer_epoch"), 0);
    }
    EXPECT_NE(first.i64("producer_id"), second.i64("producer_id"));
    req.set("transactional_id", "tx-1");
    auto refused = call(&handlers::init_producer_id, messages::init_producer_id, 1, req);
    EXPECT_EQ(refused.i16("error_code"), code(error_code::transactional_id_authorization_failed));
    EXPECT_EQ(refused.i64("producer_id"), -1);
}

TEST_F(kafka_handlers_test, delete_topics_deletes_and_answers_3_for_an_unknown_topic) {
    ASSERT_TRUE(topics_->create("gone", {}).ok());
    auto req = value::make(*messages::delete_topics.request);
    req.at("topic_names").items().emplace_back("gone"s);
    req.at("topic_names").items().emplace_back("never"s);
    auto body = call(&handlers::delete_topics, messages::delete_topics, 3, req);
    ASSERT_EQ(body.array("responses").size(), 2u);
    EXPECT_EQ(body.array("responses")[0].i16("error_code"), 0);
    EXPECT_EQ(body.array("responses")[1].i16("error_code"), 3);
    EXPECT_EQ(topics_->find("gone"), nullptr);
}

TEST_F(kafka_handlers_test, describe_and_list_groups_show_kafka_members_committed_only_groups_and_dead_ones) {
    broker::classic_groups kafka_groups;
    ctx_->kafka_groups = &kafka_groups;
    ASSERT_TRUE(topics_->create("t", {}).ok());
    ASSERT_TRUE(groups_->commit("committed", {"t", 0}, 0).ok());
    broker::join_request jr;
    jr.group = "kg";
    jr.client_id = "app";
    jr.client_host = handlers::client_host_of("127.0.0.1:40000");
    jr.protocol_type = "consumer";
    jr.protocols = {{"range", "meta"}};
    jr.group_instance_id = "host-1";
    std::string member;
    kafka_groups.join(jr, member, 1000);
    ASSERT_TRUE(kafka_groups.join_done("kg", member, 1000, "host-1"));
    ASSERT_EQ(kafka_groups.sync("kg", member, 1, {{member, "parts"}}, 1000, "host-1"), broker::group_error::none);

    auto req = value::make(*messages::describe_groups.request);
    for (auto g : {"kg", "committed", "nosuch"}) req.at("groups").items().emplace_back(std::string(g));
    auto body = call(&handlers::describe_groups, messages::describe_groups, 4, req);
    const auto& groups = body.array("groups");
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].str("group_id"), "kg");
    EXPECT_EQ(groups[0].str("group_state"), "Stable");
    EXPECT_EQ(groups[0].str("protocol_type"), "consumer");
    EXPECT_EQ(groups[0].str("protocol_data"), "range");
    ASSERT_EQ(groups[0].array("members").size(), 1u);
    const auto& m = groups[0].array("members")[0];
    EXPECT_EQ(m.str("member_id"), member);
    EXPECT_EQ(m.nullable_str("group_instance_id"), "host-1");
    EXPECT_EQ(m.str("client_id"), "app");
    EXPECT_EQ(m.str("client_host"), "/127.0.0.1");
    EXPECT_EQ(m.str("member_metadata"), "meta");
    EXPECT_EQ(m.str("member_assignment"), "parts");
    EXPECT_EQ(groups[1].str("group_state"), "Empty");
    EXPECT_EQ(groups[1].str("protocol_type"), "");
    EXPECT_EQ(groups[2].str("group_state"), "Dead");
    for (const auto& g : groups) EXPECT_EQ(g.i16("error_code"), 0);

    auto listed = call(&handlers::list_groups, messages::list_groups, 2, value::make(*messages::list_groups.request));
    EXPECT_EQ(listed.i16("error_code"), 0);
    ASSERT_EQ(listed.array("groups").size(), 2u);
    EXPECT_EQ(listed.array("groups")[0].str("group_id"), "committed");
    EXPECT_EQ(listed.array("groups")[0].str("protocol_type"), "");
    EXPECT_EQ(listed.array("groups")[1].str("group_id"), "kg");
    EXPECT_EQ(listed.array("groups")[1].str("protocol_type"), "consumer");
}

TEST_F(kafka_handlers_test, a_broker_that_is_not_the_groups_coordinator_lists_none_and_describes_each_with_16) {
    broker::classic_groups kafka_groups;
    ASSERT_TRUE(topics_->create("t", {}).ok());
    ASSERT_TRUE(groups_->commit("committed", {"t", 0}, 0).ok());
    auto replicated = broker::offsets_store::in_topic(*topics_);  // starts not_coordinator
    broker_context elsewhere(*topics_, *groups_, *replicated);
    elsewhere.kafka_groups = &kafka_groups;
    conn_ = std::make_unique<connection_context>(connection_context{elsewhere, "test"});
    auto listed = call(&handlers::list_groups, messages::list_groups, 2, value::make(*messages::list_groups.request));
    EXPECT_EQ(listed.i16("error_code"), 0);
    EXPECT_TRUE(listed.array("groups").empty());
    auto req = value::make(*messages::describe_groups.request);
    req.at("groups").items().emplace_back("committed"s);
    auto described = call(&handlers::describe_groups, messages::describe_groups, 4, req);
    ASSERT_EQ(described.array("groups").size(), 1u);
    EXPECT_EQ(described.array("groups")[0].i16("error_code"), 16);
    EXPECT_EQ(described.array("groups")[0].str("group_id"), "committed");
}

TEST(kafka_groups_test, client_host_of_a_peer_is_its_host_as_kafka_writes_it) {
    EXPECT_EQ(handlers::client_host_of("127.0.0.1:5000"), "/127.0.0.1");
    EXPECT_EQ(handlers::client_host_of("[::1]:5000"), "/::1");
}

TEST_F(kafka_handlers_test, list_offsets_answers_earliest_and_latest_of_an_empty_partition_and_3_for_unknown_ones) {
    ASSERT_TRUE(topics_->create("t", {}).ok());
    auto req = value::make(*messages::list_offsets.request);
    auto& t = req.add("topics").set("name", "t");
    t.add("partitions").set("partition_index", 0).set("timestamp", -1);
    t.add("partitions").set("partition_index", 0).set("timestamp", -2);
    t.add("partitions").set("partition_index", 0).set("timestamp", 1'000);
    t.add("partitions").set("partition_index", 1).set("timestamp", -1);
    req.add("topics").set("name", "u").add("partitions").set("partition_index", 0).set("timestamp", -1);
    auto body = call(&handlers::list_offsets, messages::list_offsets, 1, req);
    const auto& ps = body.array("topics")[0].array("partitions");
    ASSERT_EQ(ps.size(), 4u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(ps[i].i16("error_code"), 0);
    EXPECT_EQ(ps[0].i64("offset"), 0);
    EXPECT_EQ(ps[1].i64("offset"), 0);
    EXPECT_EQ(ps[2].i64("offset"), -1);  // no record that new
    EXPECT_EQ(ps[3].i16("error_code"), 3);
    EXPECT_EQ(body.array("topics")[1].array("partitions")[0].i16("error_code"), 3);
    // Version 0 answers in old_style_offsets.
    auto v0 = call(&handlers::list_offsets, messages::list_offsets, 0, req);
    const auto& p0 = v0.array("topics")[0].array("partitions")[0];
    ASSERT_EQ(p0.array("old_style_offsets").size(), 1u);
    EXPECT_EQ(p0.array("old_style_offsets")[0].integer(), 0);
}

TEST_F(kafka_handlers_test, sasl_plain_accepts_a_token_as_the_password_and_closes_on_a_wrong_one) {
    ctx_->auth_tokens = {"s3cret"};
    auto hs = value::make(*messages::sasl_handshake.request);
    hs.set("mechanism", "SCRAM-SHA-256");
    auto refused = call(&handlers::sasl_handshake, messages::sasl_handshake, 1, hs);
    EXPECT_EQ(refused.i16("error_code"), 33);
    ASSERT_EQ(refused.array("mechanisms").size(), 1u);
    EXPECT_EQ(refused.array("mechanisms")[0].text(), "PLAIN");
    hs.set("mechanism", "PLAIN");
    EXPECT_EQ(call(&handlers::sasl_handshake, messages::sasl_handshake, 1, hs).i16("error_code"), 0);
    auto auth = value::make(*messages::sasl_authenticate.request);
    auth.set("auth_bytes", "\0anyone\0s3cret"s);
    EXPECT_EQ(call(&handlers::sasl_authenticate, messages::sasl_authenticate, 1, auth).i16("error_code"), 0);
    EXPECT_TRUE(conn_->authenticated);
    EXPECT_FALSE(conn_->close_after_answer);
    conn_->authenticated = false;
    auth.set("auth_bytes", "\0anyone\0wrong"s);
    EXPECT_EQ(call(&handlers::sasl_authenticate, messages::sasl_authenticate, 1, auth).i16("error_code"), 58);
    EXPECT_FALSE(conn_->authenticated);
    EXPECT_TRUE(conn_->close_after_answer);
}

TEST_F(kafka_handlers_test, sasl_without_tokens_is_an_illegal_state) {
    auto hs = value::make(*messages::sasl_handshake.request);
    hs.set("mechanism", "PLAIN");
    EXPECT_EQ(call(&handlers::sasl_handshake, messages::sasl_handshake, 1, hs).i16("error_code"), 34);
}

}  // namespace
}  // namespace gafka::kafka
