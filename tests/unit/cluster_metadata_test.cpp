#include "gafka/client/cluster_metadata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gafka::client {
namespace {

partition_metadata part(partition_id_t p, broker_id_t leader, epoch_t epoch = 0) {
    return {p, leader, epoch, {1, 2}, {1}};
}

// Two brokers, controller 1, topic "t" with partitions led by 1 and 2.
metadata_snapshot two_brokers() {
    metadata_snapshot s;
    s.brokers = {{2, "10.0.0.2", 9002}, {1, "10.0.0.1", 9001}};
    s.controller_id = 1;
    s.topics = {{"t", {part(0, 1), part(1, 2)}}};
    s.group_coordinators = {{"g", 2}};
    return s;
}

class cluster_metadata_test : public ::testing::Test {
protected:
    cluster_metadata_test() : md_(bootstrap_, {.max_age_ms = 10'000, .refresh_backoff_ms = 100}) {}

    // Records every change the cache reports.
    int record_changes() {
        return md_.add_listener([this](const metadata_change& c) { changes_.push_back(c); });
    }

    std::vector<broker_address> bootstrap_ = {{no_broker, "localhost", 9001}};
    cluster_metadata md_;
    std::vector<metadata_change> changes_;
};

TEST_F(cluster_metadata_test, uses_bootstrap_brokers_until_the_first_update) {
    EXPECT_EQ(md_.brokers(), bootstrap_);
    EXPECT_EQ(md_.brokers_to_try(), bootstrap_);
    EXPECT_FALSE(md_.has_metadata());
    EXPECT_TRUE(md_.topics().empty());
    EXPECT_FALSE(md_.controller());
    EXPECT_FALSE(md_.partition_count("t"));
    EXPECT_TRUE(md_.needs_refresh(0));
    EXPECT_EQ(md_.time_to_next_refresh(0), 0);
}

TEST_F(cluster_metadata_test, update_replaces_brokers_controller_and_leaders) {
    md_.update(two_brokers(), 1000);
    EXPECT_EQ(md_.brokers(), (std::vector<broker_address>{{1, "10.0.0.1", 9001}, {2, "10.0.0.2", 9002}}));
    EXPECT_EQ(md_.brokers_to_try(), md_.brokers());
    EXPECT_EQ(md_.controller()->id, 1);
    EXPECT_EQ(md_.broker(2)->host, "10.0.0.2");
    EXPECT_FALSE(md_.broker(3));
    EXPECT_EQ(md_.topics(), std::vector<std::string>{"t"});
    EXPECT_EQ(md_.partition_count("t"), 2);
    EXPECT_EQ(md_.group_coordinator("g")->id, 2);
    EXPECT_FALSE(md_.group_coordinator("other"));
    EXPECT_EQ(md_.leader_for("t", 1).leader->port, 9002);

    metadata_snapshot next;
    next.brokers = {{3, "10.0.0.3", 9003}};
    next.controller_id = 3;
    next.topics = {{"t", {part(0, 3, 1)}}};
    md_.update(next, 2000);
    EXPECT_EQ(md_.brokers(), next.brokers);
    EXPECT_EQ(md_.controller()->id, 3);
    EXPECT_FALSE(md_.broker(1));
    EXPECT_EQ(md_.partition_count("t"), 1);
    EXPECT_EQ(md_.leader_for("t", 0).leader->id, 3);
    EXPECT_EQ(md_.leader_for("t", 0).leader_epoch, 1);
    EXPECT_FALSE(md_.group_coordinator("g"));
}

TEST_F(cluster_metadata_test, falls_back_to_bootstrap_when_the_cluster_lists_no_brokers) {
    md_.update(metadata_snapshot{}, 1000);
    EXPECT_TRUE(md_.brokers().empty());
    EXPECT_EQ(md_.brokers_to_try(), bootstrap_);
}

TEST_F(cluster_metadata_test, tells_unknown_partitions_from_leaderless_ones) {
    auto s = two_brokers();
    s.topics[0].partitions.push_back(part(2, no_broker, 4));
    s.topics[0].partitions.push_back(part(3, 9));  // leader not among the brokers
    md_.update(s, 1000);
    EXPECT_EQ(md_.leader_for("nope", 0).state, leader_state::unknown_topic_or_partition);
    EXPECT_EQ(md_.leader_for("t", 7).state, leader_state::unknown_topic_or_partition);
    auto none = md_.leader_for("t", 2);
    EXPECT_EQ(none.state, leader_state::no_leader);
    EXPECT_FALSE(none.leader);
    EXPECT_EQ(none.leader_epoch, 4);
    EXPECT_EQ(md_.leader_for("t", 3).state, leader_state::no_leader);
    auto known = md_.leader_for("t", 0);
    EXPECT_EQ(known.state, leader_state::known);
    EXPECT_EQ(*known.leader, (broker_address{1, "10.0.0.1", 9001}));
}

TEST_F(cluster_metadata_test, available_partitions_skip_those_without_a_leader) {
    auto s = two_brokers();
    s.topics[0].partitions = {part(3, 1), part(0, no_broker), part(2, 2), part(1, 9)};
    md_.update(s, 1000);
    EXPECT_EQ(md_.available_partitions("t"), (std::vector<partition_id_t>{2, 3}));
    EXPECT_TRUE(md_.available_partitions("nope").empty());
    EXPECT_EQ(md_.find_topic("t")->partitions[0].partition, 0);
}

TEST_F(cluster_metadata_test, expires_after_max_age) {
    md_.update(two_brokers(), 1000);
    EXPECT_FALSE(md_.needs_refresh(1000));
    EXPECT_EQ(md_.time_to_next_refresh(1000), 10'000);
    EXPECT_FALSE(md_.needs_refresh(10'999));
    EXPECT_EQ(md_.time_to_next_refresh(10'999), 1);
    EXPECT_TRUE(md_.needs_refresh(11'000));
    EXPECT_EQ(md_.time_to_next_refresh(20'000), 0);
}

TEST_F(cluster_metadata_test, request_refresh_waits_out_the_backoff_since_the_last_attempt) {
    md_.update(two_brokers(), 950);
    md_.request_refresh();
    EXPECT_TRUE(md_.refresh_requested());
    EXPECT_FALSE(md_.needs_refresh(1000));
    EXPECT_EQ(md_.time_to_next_refresh(1000), 50);
    EXPECT_FALSE(md_.needs_refresh(1049));
    EXPECT_TRUE(md_.needs_refresh(1050));
    md_.update(two_brokers(), 1060);
    EXPECT_FALSE(md_.refresh_requested());
    EXPECT_FALSE(md_.needs_refresh(1200));
}

TEST_F(cluster_metadata_test, failed_refresh_backs_off_and_keeps_the_state) {
    md_.failed_refresh(500);
    EXPECT_FALSE(md_.needs_refresh(550));
    EXPECT_EQ(md_.time_to_next_refresh(550), 50);
    EXPECT_TRUE(md_.needs_refresh(600));
    EXPECT_EQ(md_.brokers(), bootstrap_);

    md_.update(two_brokers(), 1000);
    md_.failed_refresh(11'000);  // expired, tried, failed
    EXPECT_FALSE(md_.needs_refresh(11'050));
    EXPECT_TRUE(md_.needs_refresh(11'100));
    EXPECT_EQ(md_.version(), 1u);
    EXPECT_EQ(md_.controller()->id, 1);
    EXPECT_EQ(md_.last_refresh_ms(), 1000);
}

TEST_F(cluster_metadata_test, callers_wait_for_the_version_after_their_request) {
    EXPECT_EQ(md_.version(), 0u);
    md_.update(two_brokers(), 1000);
    EXPECT_EQ(md_.version(), 1u);
    auto seen = md_.request_refresh();
    EXPECT_EQ(seen, 1u);
    EXPECT_FALSE(md_.refreshed_since(seen));
    md_.failed_refresh(1200);
    EXPECT_FALSE(md_.refreshed_since(seen));
    md_.update(two_brokers(), 1300);  // unchanged content still counts
    EXPECT_TRUE(md_.refreshed_since(seen));
    EXPECT_EQ(md_.version(), 2u);
}

TEST_F(cluster_metadata_test, listeners_hear_of_the_first_answer) {
    record_changes();
    md_.update(two_brokers(), 1000);
    ASSERT_EQ(changes_.size(), 1u);
    EXPECT_EQ(changes_[0].topics_added, std::vector<std::string>{"t"});
    EXPECT_TRUE(changes_[0].brokers_changed);
    EXPECT_TRUE(changes_[0].controller_changed);
    EXPECT_TRUE(changes_[0].group_coordinators_changed);
    EXPECT_TRUE(changes_[0].leaders_changed.empty());
}

TEST_F(cluster_metadata_test, listeners_hear_of_leader_changes_only) {
    md_.update(two_brokers(), 1000);
    int seen_leader = -2;
    md_.add_listener([&](const metadata_change&) { seen_leader = md_.leader_for("t", 1).leader->id; });
    record_changes();
    auto s = two_brokers();
    s.topics[0].partitions[1] = part(1, 1, 1);
    md_.update(s, 2000);
    ASSERT_EQ(changes_.size(), 1u);
    const auto& c = changes_[0];
    ASSERT_EQ(c.leaders_changed.size(), 1u);
    EXPECT_EQ(c.leaders_changed[0].topic, "t");
    EXPECT_EQ(c.leaders_changed[0].partition, 1);
    EXPECT_EQ(c.leaders_changed[0].old_leader, 2);
    EXPECT_EQ(c.leaders_changed[0].new_leader, 1);
    EXPECT_FALSE(c.brokers_changed || c.controller_changed || c.group_coordinators_changed);
    EXPECT_TRUE(c.topics_added.empty() && c.topics_removed.empty() && c.partition_counts_changed.empty());
    EXPECT_EQ(seen_leader, 1);  // listeners run after the new state is in place
}

TEST_F(cluster_metadata_test, listeners_hear_of_topics_added_removed_and_resized) {
    auto s = two_brokers();
    s.topics.push_back({"gone", {part(0, 1)}});
    md_.update(s, 1000);
    record_changes();
    auto next = two_brokers();
    next.topics[0].partitions.push_back(part(2, no_broker));
    next.topics.push_back({"new", {part(0, 2)}});
    md_.update(next, 2000);
    ASSERT_EQ(changes_.size(), 1u);
    const auto& c = changes_[0];
    EXPECT_EQ(c.topics_added, std::vector<std::string>{"new"});
    EXPECT_EQ(c.topics_removed, std::vector<std::string>{"gone"});
    ASSERT_EQ(c.partition_counts_changed.size(), 1u);
    EXPECT_EQ(c.partition_counts_changed[0].topic, "t");
    EXPECT_EQ(c.partition_counts_changed[0].old_count, 2);
    EXPECT_EQ(c.partition_counts_changed[0].new_count, 3);
    EXPECT_TRUE(c.leaders_changed.empty());
}

TEST_F(cluster_metadata_test, listeners_are_not_called_when_nothing_changed) {
    md_.update(two_brokers(), 1000);
    record_changes();
    auto same = two_brokers();
    std::swap(same.brokers[0], same.brokers[1]);  // order does not matter
    md_.update(same, 2000);
    EXPECT_TRUE(changes_.empty());
}

TEST_F(cluster_metadata_test, removed_listeners_are_not_called) {
    int id = record_changes();
    int calls = 0;
    int self = 0;
    self = md_.add_listener([&](const metadata_change&) {
        ++calls;
        md_.remove_listener(self);
    });
    EXPECT_TRUE(md_.remove_listener(id));
    EXPECT_FALSE(md_.remove_listener(id));
    md_.update(two_brokers(), 1000);
    metadata_snapshot empty;
    md_.update(empty, 2000);
    EXPECT_TRUE(changes_.empty());
    EXPECT_EQ(calls, 1);
}

constexpr const char* good_json = R"({
  "brokers":[{"id":1,"host":"127.0.0.1","port":9001},{"id":2,"host":"h2","port":65535}],
  "controller_id":1,
  "topics":[{"name":"t","partitions":[
     {"partition":0,"leader":1,"leader_epoch":0,"replicas":[1,2],"isr":[1]},
     {"partition":1,"leader":-1,"leader_epoch":3,"replicas":[2],"isr":[]}]}],
  "group_coordinators":{"g":1}})";

TEST(cluster_metadata_parse_test, parses_a_metadata_answer) {
    auto r = parse_metadata_json(good_json);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->brokers, (std::vector<broker_address>{{1, "127.0.0.1", 9001}, {2, "h2", 65535}}));
    EXPECT_EQ(r->controller_id, 1);
    ASSERT_EQ(r->topics.size(), 1u);
    EXPECT_EQ(r->topics[0].name, "t");
    EXPECT_EQ(r->topics[0].partitions[0], (partition_metadata{0, 1, 0, {1, 2}, {1}}));
    EXPECT_EQ(r->topics[0].partitions[1], (partition_metadata{1, -1, 3, {2}, {}}));
    EXPECT_EQ(r->group_coordinators, (std::map<std::string, broker_id_t>{{"g", 1}}));
}

// What a broker of a three-broker cluster answers (docs/cluster.md, "What
// clients see"): every live broker (3 is gone), the controller, the leaders
// etcd records; this broker's own copy adds offsets, the other partitions
// have none; "cluster" is there too.
constexpr const char* cluster_json = R"({
  "brokers":[{"id":1,"host":"10.0.0.1","port":9001},{"id":2,"host":"10.0.0.2","port":9002},
             {"id":4,"host":"10.0.0.4","port":9004}],
  "controller_id":2,"role":"leader","leader_epoch":0,
  "topics":[{"name":"orders","partitions":[
     {"partition":0,"leader":2,"leader_epoch":0,"replicas":[2,4],"isr":[2,4]},
     {"partition":1,"leader":4,"leader_epoch":1,"replicas":[4,1],"isr":[4,1]},
     {"partition":2,"leader":3,"leader_epoch":0,"replicas":[3,2],"isr":[3]},
     {"partition":3,"leader":1,"leader_epoch":2,"replicas":[1,2],"isr":[1,2],
      "log_end_offset":5,"high_watermark":5,"followers":[]}]}],
  "cluster":{"name":"gafka","controller":{"id":2,"epoch":19},"brokers":[]}})";

TEST(cluster_metadata_parse_test, routes_each_partition_to_its_leader_in_a_multi_broker_answer) {
    auto r = parse_metadata_json(cluster_json);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    cluster_metadata md({{no_broker, "10.0.0.1", 9001}});
    md.update(std::move(*r), 0);
    EXPECT_EQ(md.controller(), (broker_address{2, "10.0.0.2", 9002}));
    EXPECT_EQ(md.brokers_to_try().size(), 3u);
    auto leader_of = [&](partition_id_t p) { return md.leader_for("orders", p); };
    EXPECT_EQ(leader_of(0).leader, (broker_address{2, "10.0.0.2", 9002}));
    EXPECT_EQ(leader_of(1).leader, (broker_address{4, "10.0.0.4", 9004}));
    EXPECT_EQ(leader_of(1).leader_epoch, 1);
    EXPECT_EQ(leader_of(3).leader, (broker_address{1, "10.0.0.1", 9001}));
    // Led by a broker that is not live: no address to send to, so no leader.
    EXPECT_EQ(leader_of(2).state, leader_state::no_leader);
    EXPECT_EQ(md.available_partitions("orders"), (std::vector<partition_id_t>{0, 1, 3}));
    EXPECT_EQ(md.leader_for("orders", 4).state, leader_state::unknown_topic_or_partition);
}

TEST(cluster_metadata_parse_test, in_a_cluster_tries_the_bootstrap_brokers_first_then_the_other_known_ones) {
    auto r = parse_metadata_json(cluster_json);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_TRUE(r->in_cluster);
    cluster_metadata md({{no_broker, "10.0.0.4", 9004}, {no_broker, "seed", 9009}});
    md.update(std::move(*r), 0);
    EXPECT_EQ(md.brokers_to_try(), (std::vector<broker_address>{{no_broker, "10.0.0.4", 9004},
                                                                {no_broker, "seed", 9009},
                                                                {1, "10.0.0.1", 9001},
                                                                {2, "10.0.0.2", 9002}}));
    // Without a cluster (a lone broker, a leader and its follower): the known brokers by id.
    auto lone = parse_metadata_json(good_json);
    ASSERT_TRUE(lone.ok());
    EXPECT_FALSE(lone->in_cluster);
    cluster_metadata md2({{no_broker, "h2", 65535}});
    md2.update(std::move(*lone), 0);
    EXPECT_EQ(md2.brokers_to_try(), md2.brokers());
}

TEST(cluster_metadata_parse_test, a_cluster_is_waited_out_for_twice_its_session_timeout_plus_2_s) {
    // Without "session_timeout_ms" (an older broker): the default 6 s.
    auto r = parse_metadata_json(cluster_json);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->cluster_session_timeout_ms, 0);
    cluster_metadata md({{no_broker, "10.0.0.1", 9001}});
    EXPECT_EQ(md.failover_window(), std::chrono::milliseconds(0));  // nothing known yet
    md.update(std::move(*r), 0);
    EXPECT_EQ(md.failover_window(), std::chrono::milliseconds(14000));
    std::string two_s(cluster_json);
    two_s.replace(two_s.find(R"("cluster":{)"), 11, R"("cluster":{"session_timeout_ms":2000,)");
    auto r2 = parse_metadata_json(two_s);
    ASSERT_TRUE(r2.ok()) << r2.error().to_string();
    EXPECT_EQ(r2->cluster_session_timeout_ms, 2000);
    md.update(std::move(*r2), 1);
    EXPECT_EQ(md.failover_window(), std::chrono::milliseconds(6000));
    // A lone broker: no window, --retries alone decides.
    auto lone = parse_metadata_json(good_json);
    ASSERT_TRUE(lone.ok());
    md.update(std::move(*lone), 2);
    EXPECT_EQ(md.failover_window(), std::chrono::milliseconds(0));
}

TEST(cluster_metadata_parse_test, group_coordinators_are_optional) {
    auto r = parse_metadata_json(R"({"brokers":[],"controller_id":-1,"topics":[]})");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_TRUE(r->group_coordinators.empty());
    EXPECT_EQ(r->controller_id, no_broker);
}

TEST(cluster_metadata_parse_test, rejects_malformed_answers) {
    const std::string p = R"("partition":0,"leader":1,"leader_epoch":0,"replicas":[1],"isr":[1])";
    auto with_partition = [](const std::string& fields) {
        return R"({"brokers":[],"controller_id":1,"topics":[{"name":"t","partitions":[{)" + fields + "}]}]}";
    };
    auto with_broker = [](const std::string& fields) {
        return R"({"brokers":[{)" + fields + R"(}],"controller_id":1,"topics":[]})";
    };
    const std::vector<std::string> bad = {
        "",
        "not json",
        R"({"brokers":[)",
        "[]",
        std::string(100'000, '['),
        R"({"controller_id":1,"topics":[]})",
        R"({"brokers":{},"controller_id":1,"topics":[]})",
        R"({"brokers":[],"controller_id":"1","topics":[]})",
        R"({"brokers":[],"controller_id":1.5,"topics":[]})",
        R"({"brokers":[],"controller_id":1})",
        R"({"brokers":[],"controller_id":1,"topics":[5]})",
        R"({"brokers":[],"controller_id":1,"topics":[{"partitions":[]}]})",
        R"({"brokers":[],"controller_id":1,"topics":[{"name":"","partitions":[]}]})",
        R"({"brokers":[],"controller_id":1,"topics":[{"name":"t","partitions":[]},{"name":"t","partitions":[]}]})",
        R"({"brokers":[],"controller_id":1,"topics":[],"group_coordinators":[]})",
        R"({"brokers":[],"controller_id":1,"topics":[],"group_coordinators":{"g":"x"}})",
        with_broker(R"("id":1,"host":"h","port":-1)"),
        with_broker(R"("id":1,"host":"h","port":65536)"),
        with_broker(R"("id":1,"host":"h","port":0)"),
        with_broker(R"("id":1,"host":"h")"),
        with_broker(R"("id":1,"host":7,"port":1)"),
        with_broker(R"("id":-1,"host":"h","port":1)"),
        with_broker(R"("id":4294967296,"host":"h","port":1)"),
        with_partition(R"("partition":0,"leader_epoch":0,"replicas":[1],"isr":[1])"),
        with_partition(R"("partition":0,"leader":-2,"leader_epoch":0,"replicas":[1],"isr":[1])"),
        with_partition(R"("partition":0,"leader":1,"leader_epoch":0,"replicas":["1"],"isr":[1])"),
        with_partition(R"("partition":0,"leader":1,"leader_epoch":0,"replicas":[1],"isr":1)"),
        with_partition(p + "}, {" + p),
    };
    for (const auto& body : bad) {
        auto r = parse_metadata_json(body);
        EXPECT_FALSE(r.ok()) << body.substr(0, 200);
        EXPECT_EQ(r.error().code(), status_code::invalid_argument);  // also fails when ok()
    }
    // Two brokers with one id.
    EXPECT_FALSE(parse_metadata_json(
        R"({"brokers":[{"id":1,"host":"a","port":1},{"id":1,"host":"b","port":2}],"controller_id":1,"topics":[]})")
                     .ok());
}

TEST(cluster_metadata_parse_test, error_messages_say_where) {
    auto r = parse_metadata_json(
        R"({"brokers":[],"controller_id":1,"topics":[{"name":"t","partitions":[{"partition":0}]}]})");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("topics[0].partitions[0].leader"), std::string::npos)
        << r.error().message();
}

TEST(cluster_metadata_parse_test, parses_bootstrap_lists) {
    auto r = parse_bootstrap("localhost:9001, 127.0.0.1:9002 ,[::1]:9003");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(*r, (std::vector<broker_address>{
                      {no_broker, "localhost", 9001}, {no_broker, "127.0.0.1", 9002}, {no_broker, "::1", 9003}}));
    auto one = parse_bootstrap("h:65535");
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->at(0).port, 65535);
}

TEST(cluster_metadata_parse_test, rejects_bad_bootstrap_lists) {
    for (std::string_view bad : {"", "  ", "localhost", "localhost:", ":9001", "h:0", "h:65536", "h:-1",
                                 "h:90x", "h:+1", "h:1,", ",h:1", "h:1,,h:2", "::1:9001", "[::1]9001",
                                 "[::1:9001", "[]:9001", "a b:1", "h:99999999999999999999"}) {
        auto r = parse_bootstrap(bad);
        EXPECT_FALSE(r.ok()) << "'" << bad << "'";
        EXPECT_EQ(r.error().code(), status_code::invalid_argument);  // also fails when ok()
    }
}

}  // namespace
}  // namespace gafka::client
