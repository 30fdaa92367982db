// The etcd v3 gateway's messages, against answers captured from etcd 3.4.23.
#include "gafka/cluster/etcd_codec.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

namespace gafka::cluster {
namespace {

rapidjson::Document parsed(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    EXPECT_FALSE(d.HasParseError()) << json;
    return d;
}

TEST(etcd_codec_test, range_request_carries_base64_key_and_prefix_end) {
    auto d = parsed(encode(range_request{"/gafka/c/", prefix_end("/gafka/c/")}));
    EXPECT_STREQ(d["key"].GetString(), "L2dhZmthL2Mv");      // "/gafka/c/"
    EXPECT_STREQ(d["range_end"].GetString(), "L2dhZmthL2Mw");  // "/gafka/c0"
    EXPECT_FALSE(parsed(encode(range_request{"/k", ""})).HasMember("range_end"));
}

TEST(etcd_codec_test, prefix_end_increments_the_last_byte_below_0xff) {
    EXPECT_EQ(prefix_end("a/"), "a0");
    EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
    EXPECT_EQ(prefix_end(std::string("\xff", 1)), std::string(1, '\0'));
}

TEST(etcd_codec_test, put_writes_lease_as_a_string_and_leaves_out_no_lease) {
    auto d = parsed(encode(put_request{"k", "v", 4111120487432698373}));
    EXPECT_STREQ(d["lease"].GetString(), "4111120487432698373");
    EXPECT_STREQ(d["value"].GetString(), "dg==");
    EXPECT_FALSE(parsed(encode(put_request{"k", "v", 0})).HasMember("lease"));
}

TEST(etcd_codec_test, txn_writes_each_compare_target_and_both_branches) {
    txn_request t;
    t.compares.push_back({compare::target::create_revision, "/a", 0, {}});
    t.compares.push_back({compare::target::mod_revision, "/b", 7, {}});
    t.compares.push_back({compare::target::value, "/c", 0, "x"});
    t.success.push_back({txn_op::kind::put, "/a", "1", 5, {}});
    t.failure.push_back({txn_op::kind::range, "/a", {}, 0, {}});
    t.failure.push_back({txn_op::kind::remove, "/p/", {}, 0, "/p0"});
    auto d = parsed(encode(t));
    const auto& c = d["compare"];
    ASSERT_EQ(c.Size(), 3u);
    EXPECT_STREQ(c[0]["target"].GetString(), "CREATE");
    EXPECT_STREQ(c[0]["create_revision"].GetString(), "0");  // a zero compared must be written
    EXPECT_STREQ(c[0]["result"].GetString(), "EQUAL");
    EXPECT_STREQ(c[1]["target"].GetString(), "MOD");
    EXPECT_STREQ(c[1]["mod_revision"].GetString(), "7");
    EXPECT_STREQ(c[2]["target"].GetString(), "VALUE");
    EXPECT_STREQ(c[2]["value"].GetString(), "eA==");
    EXPECT_STREQ(d["success"][0]["request_put"]["lease"].GetString(), "5");
    EXPECT_STREQ(d["failure"][0]["request_range"]["key"].GetString(), "L2E=");
    EXPECT_STREQ(d["failure"][1]["request_delete_range"]["range_end"].GetString(), "L3Aw");
}

TEST(etcd_codec_test, decodes_a_range_answer_with_string_numbers) {
    auto r = decode_range(
        R"({"header":{"cluster_id":"15118495548433857066","member_id":"13668033151171901709","revision":"2","raft_term":"2"},)"
        R"("kvs":[{"key":"L2E=","create_revision":"2","mod_revision":"3","version":"1","value":"dg==","lease":"4111120487432698381"}],"count":"1"})");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->revision, 2);
    ASSERT_EQ(r->kvs.size(), 1u);
    EXPECT_EQ(r->kvs[0].key, "/a");
    EXPECT_EQ(r->kvs[0].value, "v");
    EXPECT_EQ(r->kvs[0].create_revision, 2);
    EXPECT_EQ(r->kvs[0].mod_revision, 3);
    EXPECT_EQ(r->kvs[0].lease, 4111120487432698381);
}

TEST(etcd_codec_test, an_empty_range_has_no_kvs_field) {
    auto r = decode_range(R"({"header":{"revision":"3","raft_term":"2"}})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->revision, 3);
    EXPECT_TRUE(r->kvs.empty());
}

TEST(etcd_codec_test, a_failed_txn_has_no_succeeded_field_and_returns_its_ranges) {
    auto r = decode_txn(
        R"({"header":{"revision":"2"},"responses":[{"response_range":{"header":{"revision":"2"},)"
        R"("kvs":[{"key":"L2E=","create_revision":"2","mod_revision":"2","version":"1","value":"dg=="}],"count":"1"}}]})");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_FALSE(r->succeeded);
    ASSERT_EQ(r->ranges.size(), 1u);
    ASSERT_EQ(r->ranges[0].size(), 1u);
    EXPECT_EQ(r->ranges[0][0].create_revision, 2);
}

TEST(etcd_codec_test, a_successful_txn_gives_the_revision_of_its_put) {
    auto r = decode_txn(R"({"header":{"revision":"9"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"9"}}}]})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->succeeded);
    EXPECT_EQ(r->revision, 9);
    EXPECT_TRUE(r->ranges.empty());
}

TEST(etcd_codec_test, lease_grant_and_keepalive) {
    auto g = decode_lease_grant(R"({"header":{"revision":"1"},"ID":"4111120487432698373","TTL":"2"})");
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->id, 4111120487432698373);
    EXPECT_EQ(g->ttl_seconds, 2);
    EXPECT_EQ(parsed(encode_lease_grant(6))["TTL"].GetString(), std::string("6"));
    EXPECT_EQ(parsed(encode_lease_id(42))["ID"].GetString(), std::string("42"));
    auto alive = decode_keepalive(R"({"result":{"header":{"revision":"3"},"ID":"4111120487432698381","TTL":"1"}})" "\n");
    ASSERT_TRUE(alive.ok());
    EXPECT_EQ(*alive, 1);
    // A lease that is gone: no TTL.
    auto dead = decode_keepalive(R"({"result":{"header":{"revision":"2"},"ID":"1"}})");
    ASSERT_TRUE(dead.ok());
    EXPECT_EQ(*dead, 0);
}

TEST(etcd_codec_test, a_grant_without_a_lease_is_an_error) {
    EXPECT_FALSE(decode_lease_grant(R"({"header":{"revision":"1"}})").ok());
}

TEST(etcd_codec_test, gateway_errors_are_unavailable_with_etcds_message) {
    auto unary = decode_range(R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})");
    ASSERT_FALSE(unary.ok());
    EXPECT_EQ(unary.error().code(), status_code::unavailable);
    EXPECT_NE(unary.error().message().find("requested lease not found"), std::string::npos);
    auto stream = decode_watch(R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})");
    ASSERT_FALSE(stream.ok());
    EXPECT_NE(stream.error().message().find("no leader"), std::string::npos);
}

TEST(etcd_codec_test, malformed_answers_are_corruption) {
    EXPECT_EQ(decode_range("not json").error().code(), status_code::corruption);
    EXPECT_EQ(decode_range(R"({"header":{"revision":"x2"}})").error().code(), status_code::corruption);
    EXPECT_EQ(decode_range(R"({"kvs":[{"key":"***"}]})").error().code(), status_code::corruption);
    EXPECT_EQ(decode_txn(R"({"succeeded":"yes"})").error().code(), status_code::corruption);
    EXPECT_EQ(decode_watch(R"({"result":{"events":[{"type":"SOMETHING"}]}})").error().code(), status_code::corruption);
}

TEST(etcd_codec_test, watch_create_starts_at_a_revision) {
    auto d = parsed(encode_watch_create({"/p/", "/p0"}, 12));
    EXPECT_STREQ(d["create_request"]["key"].GetString(), "L3Av");
    EXPECT_STREQ(d["create_request"]["start_revision"].GetString(), "12");
}

TEST(etcd_codec_test, decodes_watch_events_where_a_put_has_no_type) {
    auto created = decode_watch(R"({"result":{"header":{"revision":"3","raft_term":"2"},"created":true}})");
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(created->created);
    EXPECT_TRUE(created->events.empty());
    auto put = decode_watch(
        R"({"result":{"header":{"revision":"4"},"events":[{"kv":{"key":"L3cveA==","create_revision":"4","mod_revision":"4","version":"1","value":"MQ==","lease":"4111120487432698381"}}]}})");
    ASSERT_TRUE(put.ok());
    ASSERT_EQ(put->events.size(), 1u);
    EXPECT_FALSE(put->events[0].deleted);
    EXPECT_EQ(put->events[0].kv.key, "/w/x");
    EXPECT_EQ(put->events[0].kv.value, "1");
    auto del = decode_watch(R"({"result":{"header":{"revision":"5"},"events":[{"type":"DELETE","kv":{"key":"L3cveA==","mod_revision":"5"}}]}})");
    ASSERT_TRUE(del.ok());
    EXPECT_TRUE(del->events[0].deleted);
    EXPECT_EQ(del->events[0].kv.mod_revision, 5);
}

TEST(etcd_codec_test, a_compacted_watch_is_canceled_with_the_compact_revision) {
    auto r = decode_watch(R"({"result":{"header":{"raft_term":"2"},"canceled":true,"compact_revision":"4"}})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->canceled);
    EXPECT_EQ(r->compact_revision, 4);
    EXPECT_EQ(r->revision, 0);
}

}  // namespace
}  // namespace gafka::cluster
