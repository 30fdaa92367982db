// The small parsers at the broker's edge: request targets, produce bodies
// (JSON, batch, NDJSON), durations, --flush, topic names, and Kafka's
// murmur2 partitioner.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "gafka/broker/flush_policy.h"
#include "gafka/http/produce_request.h"
#include "gafka/http/query.h"
#include "gafka/log/record.h"
#include "gafka/rules/names.h"
#include "gafka/rules/partitioner.h"
#include "gafka/util/duration.h"
#include "gafka/util/murmur2.h"

namespace gafka {

// gtest prints a status_code by name (defined alike in each test file).
inline void PrintTo(status_code code, std::ostream* os) { *os << to_string(code); }

namespace {

using namespace std::chrono_literals;

// ---- parse_target ---------------------------------------------------------

TEST(parse_target_test, splits_path_and_decodes_query_parameters) {
    auto t = http::parse_target("/api/v1/consume?topic=orders&count=10&group_id=a%2Db&z=%41");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/api/v1/consume");
    EXPECT_EQ(t->params, (std::map<std::string, std::string>{
                             {"topic", "orders"}, {"count", "10"}, {"group_id", "a-b"}, {"z", "A"}}));
    EXPECT_EQ(t->get("count"), "10");
    EXPECT_FALSE(t->get("offset").has_value());
}

TEST(parse_target_test, plus_is_a_space_in_the_query_but_not_in_the_path) {
    auto t = http::parse_target("/a+b?q=x+y%2Bz");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/a+b");
    EXPECT_EQ(t->get("q"), "x y+z");
}

TEST(parse_target_test, decodes_percent_escapes_in_the_path) {
    auto t = http::parse_target("/api/v1/topics/my%2etopic%5F1");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/api/v1/topics/my.topic_1");
}

TEST(parse_target_test, bad_escapes_fail) {
    for (auto raw : {"/x?a=%zz", "/x?a=%4", "/x?a=%", "/x?%g0=1", "/x%2", "/x%"})
        EXPECT_FALSE(http::parse_target(raw).ok()) << raw;
    EXPECT_EQ(http::parse_target("/x?a=%4").error().code(), status_code::invalid_argument);
}

TEST(parse_target_test, skips_empty_pairs_and_keeps_flags_without_values) {
    auto t = http::parse_target("/x?&&a=1&&flag&b=");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->params, (std::map<std::string, std::string>{{"a", "1"}, {"flag", ""}, {"b", ""}}));
}

TEST(parse_target_test, value_keeps_later_equals_signs_and_last_repeat_wins) {
    auto t = http::parse_target("/x?k=a=b&r=1&r=2");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->get("k"), "a=b");
    EXPECT_EQ(t->get("r"), "2");
}

TEST(parse_target_test, target_without_query_has_no_parameters) {
    auto t = http::parse_target("/healthz");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/healthz");
    EXPECT_TRUE(t->params.empty());
    auto q = http::parse_target("/healthz?");
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->params.empty());
}

// ---- produce bodies -------------------------------------------------------

int http_status(const http::api_error& e) { return static_cast<int>(e.http_status); }

TEST(produce_request_test, single_record) {
    auto r = http::parse_produce_json(R"({"topic":"test-topic","key":"user123","value":"Hello World"})", {});
    ASSERT_FALSE(r.error) << r.error->message;
    ASSERT_TRUE(r.request);
    EXPECT_TRUE(r.request->single);
    EXPECT_EQ(r.request->topic, "test-topic");
    ASSERT_EQ(r.request->records.size(), 1u);
    const auto& rec = r.request->records[0];
    EXPECT_FALSE(rec.partition.has_value());
    EXPECT_FALSE(rec.has_timestamp);
    EXPECT_EQ(rec.record.key, "user123");
    EXPECT_EQ(rec.record.value, "Hello World");
    EXPECT_TRUE(rec.record.headers.empty());
}

TEST(produce_request_test, batch_keeps_order_partitions_headers_and_timestamps) {
    auto r = http::parse_produce_json(R"({"topic":"orders","records":[
        {"key":"user123","value":"first"},
        {"value":"second","headers":{"source":"web"},"timestamp":1700000000000},
        {"value":null,"partition":2,"topic":"orders"}]})",
                                      {});
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_FALSE(r.request->single);
    EXPECT_EQ(r.request->topic, "orders");
    ASSERT_EQ(r.request->records.size(), 3u);
    EXPECT_EQ(r.request->records[0].record.value, "first");
    EXPECT_FALSE(r.request->records[1].record.key.has_value());
    EXPECT_EQ(r.request->records[1].record.headers, (std::vector<log::record_header>{{"source", "web"}}));
    EXPECT_TRUE(r.request->records[1].has_timestamp);
    EXPECT_EQ(r.request->records[1].record.timestamp, 1700000000000);
    EXPECT_FALSE(r.request->records[2].record.value.has_value());  // a tombstone
    EXPECT_EQ(r.request->records[2].partition, 2);
}

TEST(produce_request_test, ndjson_skips_blank_lines_and_takes_the_topic_parameter) {
    auto r = http::parse_produce_ndjson("{\"key\":\"a\",\"value\":\"one\"}\n\n  \r\n{\"value\":\"two\"}\n",
                                        std::string("orders"));
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_FALSE(r.request->single);
    EXPECT_EQ(r.request->topic, "orders");
    ASSERT_EQ(r.request->records.size(), 2u);
    EXPECT_EQ(r.request->records[0].record.key, "a");
    EXPECT_EQ(r.request->records[1].record.value, "two");
}

TEST(produce_request_test, topic_in_the_body_may_repeat_the_parameter) {
    auto r = http::parse_produce_json(R"({"topic":"orders","value":"v"})", std::string("orders"));
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_EQ(r.request->topic, "orders");
}

TEST(produce_request_test, topic_parameter_and_body_that_differ_are_rejected) {
    auto r = http::parse_produce_json(R"({"topic":"b","value":"v"})", std::string("a"));
    ASSERT_TRUE(r.error);
    EXPECT_FALSE(r.request);
    EXPECT_EQ(http_status(*r.error), 400);
    EXPECT_EQ(r.error->code, "bad_request");
    EXPECT_EQ(r.error->message, "topic 'b' differs from 'a'; one request writes to one topic");
}

TEST(produce_request_test, batch_record_with_another_topic_names_its_index) {
    auto r = http::parse_produce_json(R"({"topic":"t","records":[{"value":"v"},{"topic":"u","value":"w"}]})", {});
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, "bad_request");
    EXPECT_EQ(r.error->message, "record 1: topic 'u' differs from 't'; one request writes to one topic");
}

TEST(produce_request_test, ndjson_lines_with_different_topics_name_the_line) {
    auto r = http::parse_produce_ndjson("{\"topic\":\"t\",\"value\":\"1\"}\n{\"topic\":\"u\",\"value\":\"2\"}\n", {});
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->message, "line 2: topic 'u' differs from 't'; one request writes to one topic");
}

TEST(produce_request_test, ndjson_errors_carry_the_line_number_counting_blank_lines) {
    auto bad_json = http::parse_produce_ndjson("{\"value\":\"a\"}\n\n{\"value\":\n", std::string("t"));
    ASSERT_TRUE(bad_json.error);
    EXPECT_EQ(bad_json.error->code, "invalid_json");
    EXPECT_EQ(bad_json.error->message.rfind("line 3: invalid JSON at byte ", 0), 0u) << bad_json.error->message;

    auto missing = http::parse_produce_ndjson("{\"value\":\"a\"}\n{\"key\":\"k\"}\n", std::string("t"));
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(missing.error->code, "missing_value");
    EXPECT_EQ(missing.error->message, "line 2: a record needs 'value' (or 'value_b64')");
}

TEST(produce_request_test, ndjson_without_records_is_rejected) {
    auto r = http::parse_produce_ndjson("\n \n", std::string("t"));
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, "bad_request");
    EXPECT_EQ(r.error->message, "the body holds no records");
}

TEST(produce_request_test, unknown_field_is_rejected) {
    auto r = http::parse_produce_json(R"({"topic":"t","vaule":"v","value":"v"})", {});
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, "bad_request");
    EXPECT_EQ(r.error->message, "unknown field 'vaule'");

    auto beside = http::parse_produce_json(R"({"topic":"t","acks":"all","records":[{"value":"v"}]})", {});
    ASSERT_TRUE(beside.error);
    EXPECT_EQ(beside.error->message, "unknown field 'acks' beside 'records'");

    auto in_batch = http::parse_produce_json(R"({"topic":"t","records":[{"value":"v"},{"value":"v","x":1}]})", {});
    ASSERT_TRUE(in_batch.error);
    EXPECT_EQ(in_batch.error->message, "record 1: unknown field 'x'");
}

TEST(produce_request_test, a_body_that_is_not_utf8_or_holds_a_nul_is_invalid_json_in_both_forms) {
    for (auto body : {std::string("{\"topic\":\"t\",\"value\":\"a\xff\"}"),
                      std::string("{\"topic\":\"t\",\"value\":\"\xed\xa0\x80\"}"),  // a UTF-16 surrogate
                      std::string("{\"topic\":\"t\",\"value\":\"a\"}\0{\"value\":\"b\"}", 33)}) {
        auto json = http::parse_produce_json(body, {});
        ASSERT_TRUE(json.error);
        EXPECT_EQ(json.error->code, "invalid_json");
        auto ndjson = http::parse_produce_ndjson(body, {});
        ASSERT_TRUE(ndjson.error);
        EXPECT_EQ(ndjson.error->code, "invalid_json");
    }
}

TEST(produce_request_test, ndjson_parsed_in_place_keeps_every_line_and_the_last_without_newline) {
    auto r = http::parse_produce_ndjson("{\"value\":\"a\\nb\"}\n\n{\"value\":\"\xc3\xa9\"}\n{\"value\":\"z\"}", "t");
    ASSERT_FALSE(r.error) << r.error->message;
    ASSERT_EQ(r.request->records.size(), 3u);
    EXPECT_EQ(r.request->records[0].record.value, "a\nb");
    EXPECT_EQ(r.request->records[1].record.value, "\xc3\xa9");
    EXPECT_EQ(r.request->records[2].record.value, "z");
}

TEST(produce_request_test, value_b64_carries_bytes_that_are_not_utf8) {
    auto r = http::parse_produce_json(R"({"topic":"t","value_b64":"3q2+7w==","key_b64":"AP8="})", {});
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_EQ(r.request->records[0].record.value, std::string("\xde\xad\xbe\xef"));
    EXPECT_EQ(r.request->records[0].record.key, std::string("\x00\xff", 2));
}

// Records point into the request's own copy of the body and its decoded
// base64 fields: they must stay right when the request is moved (a short
// body included, which a std::string would keep inline) and when many
// decoded fields are added.
TEST(produce_request_test, records_point_into_the_request_and_survive_its_move) {
    std::string body = R"({"topic":"t","records":[)";
    for (int i = 0; i < 200; ++i)
        body += std::string(i ? "," : "") + R"({"key":"k)" + std::to_string(i) + R"(","value_b64":"AP8=")" + "}";
    body += "]}";
    auto r = http::parse_produce_json(body, {});
    ASSERT_FALSE(r.error) << r.error->message;
    auto moved = std::move(*r.request);
    ASSERT_EQ(moved.records.size(), 200u);
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(moved.records[i].record.key, "k" + std::to_string(i));
        EXPECT_EQ(moved.records[i].record.value, std::string("\x00\xff", 2));
    }
    auto tiny = http::parse_produce_json(R"({"value":"v"})", std::string("t"));
    ASSERT_FALSE(tiny.error) << tiny.error->message;
    auto tiny_moved = std::move(*tiny.request);
    EXPECT_EQ(tiny_moved.records[0].record.value, "v");
}

TEST(produce_request_test, bad_or_doubled_base64_is_rejected) {
    auto bad = http::parse_produce_json(R"({"topic":"t","value_b64":"3q2+7w="})", {});
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->message, "'value_b64' is not valid base64");
    auto both = http::parse_produce_json(R"({"topic":"t","value":"v","value_b64":"dg=="})", {});
    ASSERT_TRUE(both.error);
    EXPECT_EQ(both.error->message, "has both 'value' and 'value_b64'");
}

TEST(produce_request_test, missing_value_is_its_own_code) {
    auto r = http::parse_produce_json(R"({"topic":"t","key":"k"})", {});
    ASSERT_TRUE(r.error);
    EXPECT_EQ(http_status(*r.error), 400);
    EXPECT_EQ(r.error->code, "missing_value");
    EXPECT_EQ(r.error->message, "a record needs 'value' (or 'value_b64')");
}

TEST(produce_request_test, missing_or_invalid_topic_is_rejected) {
    auto none = http::parse_produce_json(R"({"value":"v"})", {});
    ASSERT_TRUE(none.error);
    EXPECT_EQ(none.error->code, "missing_topic");
    auto dots = http::parse_produce_json(R"({"value":"v"})", std::string(".."));
    ASSERT_TRUE(dots.error);
    EXPECT_EQ(dots.error->code, "invalid_topic");
    auto internal = http::parse_produce_ndjson("{\"value\":\"v\"}\n", std::string("__consumer_offsets"));
    ASSERT_TRUE(internal.error);
    EXPECT_EQ(internal.error->code, "invalid_topic");
}

TEST(produce_request_test, malformed_bodies_are_rejected) {
    auto truncated = http::parse_produce_json(R"({"topic":"orders",)", {});
    ASSERT_TRUE(truncated.error);
    EXPECT_EQ(truncated.error->code, "invalid_json");
    EXPECT_EQ(truncated.error->message, "invalid JSON at byte 18: Missing a name for object member.");
    auto trailing = http::parse_produce_json(R"({"topic":"t","value":"v"} {})", {});
    ASSERT_TRUE(trailing.error);
    EXPECT_EQ(trailing.error->code, "invalid_json");
    auto array = http::parse_produce_json(R"([{"topic":"t","value":"v"}])", {});
    ASSERT_TRUE(array.error);
    EXPECT_EQ(array.error->message, "the body must be a JSON object");
    auto empty = http::parse_produce_json(R"({"topic":"t","records":[]})", {});
    ASSERT_TRUE(empty.error);
    EXPECT_EQ(empty.error->message, "'records' is empty");
    auto negative = http::parse_produce_json(R"({"topic":"t","value":"v","partition":-1})", {});
    ASSERT_TRUE(negative.error);
    EXPECT_EQ(negative.error->message, "'partition' must be a non-negative integer");
}

TEST(produce_request_test, record_over_1_mib_is_413_record_too_large) {
    std::string value(log::max_record_bytes, 'x');
    auto r = http::parse_produce_json(R"({"topic":"t","records":[{"value":"v"},{"value":")" + value + "\"}]}", {});
    ASSERT_TRUE(r.error);
    EXPECT_FALSE(r.request);
    EXPECT_EQ(http_status(*r.error), 413);
    EXPECT_EQ(r.error->code, "record_too_large");
    EXPECT_EQ(r.error->message.rfind("record 1: record is ", 0), 0u) << r.error->message;

    auto line = http::parse_produce_ndjson("{\"value\":\"" + value + "\"}\n", std::string("t"));
    ASSERT_TRUE(line.error);
    EXPECT_EQ(http_status(*line.error), 413);
    EXPECT_EQ(line.error->message.rfind("line 1: record is ", 0), 0u) << line.error->message;
}

TEST(produce_request_test, record_just_under_the_limit_is_accepted) {
    std::string value(log::max_record_bytes - 64, 'x');
    auto r = http::parse_produce_json(R"({"topic":"t","value":")" + value + "\"}", {});
    EXPECT_FALSE(r.error) << r.error->message;
}

// ---- parse_duration ---------------------------------------------------------

TEST(parse_duration_test, reads_every_unit_and_bare_milliseconds) {
    EXPECT_EQ(util::parse_duration("500ms").value(), 500ms);
    EXPECT_EQ(util::parse_duration("30s").value(), 30s);
    EXPECT_EQ(util::parse_duration("1m").value(), 1min);
    EXPECT_EQ(util::parse_duration("2h").value(), 2h);
    EXPECT_EQ(util::parse_duration("250").value(), 250ms);
    EXPECT_EQ(util::parse_duration("0").value(), 0ms);
    EXPECT_EQ(util::parse_duration("0s").value(), 0ms);
}

TEST(parse_duration_test, rejects_bad_units_and_shapes) {
    for (auto text : {"", "s", "ms", "5d", "5S", "5 s", " 5s", "5s ", "1.5s", "5sec", "+5s", "0x10", "5ms5"})
        EXPECT_FALSE(util::parse_duration(text).ok()) << "'" << text << "'";
    auto e = util::parse_duration("5d");
    EXPECT_EQ(e.error().code(), status_code::invalid_argument);
    EXPECT_EQ(e.error().message(), "invalid duration '5d' (expected e.g. 500ms, 30s, 1m, 2h)");
}

TEST(parse_duration_test, rejects_negative_durations) {
    EXPECT_FALSE(util::parse_duration("-1").ok());
    EXPECT_FALSE(util::parse_duration("-500ms").ok());
}

TEST(parse_duration_test, rejects_values_that_overflow) {
    EXPECT_FALSE(util::parse_duration("99999999999999999999").ok());  // past int64
    EXPECT_FALSE(util::parse_duration("9223372036854775807ms").ok());
    EXPECT_FALSE(util::parse_duration("9223372036854775807s").ok());
    EXPECT_FALSE(util::parse_duration("9223372036854775h").ok());
}

// ---- parse_flush_policy ---------------------------------------------------

TEST(flush_policy_test, reads_always_never_and_intervals) {
    auto always = broker::parse_flush_policy("always");
    ASSERT_TRUE(always.ok());
    EXPECT_EQ(always->kind, broker::flush_policy::mode::always);
    EXPECT_TRUE(always->sync_before_ack());

    auto never = broker::parse_flush_policy("never");
    ASSERT_TRUE(never.ok());
    EXPECT_EQ(never->kind, broker::flush_policy::mode::never);
    EXPECT_FALSE(never->sync_before_ack());

    auto every = broker::parse_flush_policy("interval:250");
    ASSERT_TRUE(every.ok());
    EXPECT_EQ(every->kind, broker::flush_policy::mode::interval);
    EXPECT_EQ(every->interval, 250ms);
    EXPECT_FALSE(every->sync_before_ack());
    EXPECT_EQ(every->to_string(), "interval:250");

    EXPECT_EQ(broker::parse_flush_policy("interval:1s")->interval, 1000ms);
}

TEST(flush_policy_test, rejects_other_words_and_empty_or_zero_intervals) {
    for (auto text : {"", "Always", "sometimes", "interval", "interval:", "interval:0", "interval:0ms", "interval:-5",
                      "interval:5d", "interval:5 s"}) {
        auto p = broker::parse_flush_policy(text);
        EXPECT_FALSE(p.ok()) << "'" << text << "'";
        if (!p.ok()) {
            EXPECT_EQ(p.error().code(), status_code::invalid_argument);
        }
    }
}

// ---- names ------------------------------------------------------------------

TEST(names_test, topic_names_follow_the_directory_rules) {
    for (auto name : {"orders", "a", "test-topic", "a.b_c-1", "...", "a..b", "_x", "x__"})
        EXPECT_TRUE(rules::check_topic_name(name).ok()) << name;
    EXPECT_TRUE(rules::check_topic_name(std::string(255, 'a')).ok());
    for (auto name : {"", ".", "..", "a/b", "/", "../x", "a b", "caf\xc3\xa9", "a\nb", "__internal", "__"})
        EXPECT_EQ(rules::check_topic_name(name).code(), status_code::invalid_argument) << name;
    EXPECT_EQ(rules::check_topic_name(std::string(256, 'a')).code(), status_code::invalid_argument);
}

TEST(names_test, consumer_ids_are_at_most_128_characters) {
    EXPECT_TRUE(rules::check_consumer_id(std::string(128, 'c')).ok());
    EXPECT_FALSE(rules::check_consumer_id(std::string(129, 'c')).ok());
    EXPECT_FALSE(rules::check_consumer_id("").ok());
    EXPECT_FALSE(rules::check_consumer_id("a/b").ok());
    EXPECT_TRUE(rules::check_group_id("test-group").ok());
    EXPECT_FALSE(rules::check_group_id("..").ok());
    EXPECT_FALSE(rules::check_group_id("a\nb").ok());  // would split the offsets log key
}

// ---- murmur2 and the partitioner -----------------------------------------

// The vectors of Kafka's UtilsTest.testMurmur2
// (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
TEST(murmur2_test, matches_kafka_utils_test_vectors) {
    EXPECT_EQ(util::murmur2("21"), -973932308);
    EXPECT_EQ(util::murmur2("foobar"), -790332482);
    EXPECT_EQ(util::murmur2("a-little-bit-long-string"), -985981536);
    EXPECT_EQ(util::murmur2("a-little-bit-longer-string"), -1486304829);
    EXPECT_EQ(util::murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
    EXPECT_EQ(util::murmur2("abc"), 479470107);
}

// Not from Kafka's tests: computed with a line-by-line transcription of
// Utils.murmur2 that reproduces the vectors above. Bytes >= 0x80 catch a
// port that sign-extends (Java masks each byte with & 0xff).
TEST(murmur2_test, treats_bytes_above_0x7f_as_unsigned) {
    EXPECT_EQ(util::murmur2("\xff\xfe\xfd\xfc\xfb\xfa\xf9"), -166236347);
    EXPECT_EQ(util::murmur2("caf\xc3\xa9"), -1358007374);
}

TEST(murmur2_test, to_positive_clears_only_the_sign_bit) {
    EXPECT_EQ(util::to_positive(-790332482), 1357151166);
    EXPECT_EQ(util::to_positive(479470107), 479470107);
    EXPECT_EQ(util::to_positive(INT32_MIN), 0);
}

TEST(partitioner_test, key_goes_to_positive_murmur2_modulo_partitions) {
    EXPECT_EQ(rules::partition_for_key("foobar", 50), 16);  // 1357151166 % 50
    EXPECT_EQ(rules::partition_for_key("foobar", 10), 6);
    EXPECT_EQ(rules::partition_for_key("21", 12), (-973932308 & 0x7fffffff) % 12);
    EXPECT_EQ(rules::partition_for_key("user123", 3), 0);
    EXPECT_EQ(rules::partition_for_key("caf\xc3\xa9", 12), 6);
    for (std::int32_t n = 1; n <= 100; ++n) {
        auto p = rules::partition_for_key("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", n);
        EXPECT_GE(p, 0);
        EXPECT_LT(p, n);
    }
}

}  // namespace
}  // namespace gafka
