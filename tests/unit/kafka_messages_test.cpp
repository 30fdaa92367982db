// The table-driven Kafka codec (kafka/codec.h, kafka/frame.h): frames a real
// client sent (kcat 1.7 / librdkafka 2.0.2, captured by a python listener on
// 127.0.0.1 that answered ApiVersions and Metadata, kept in
// tests/unit/data/kafka/) decode to the fields it meant and re-encode to the
// same bytes; every cut of a frame is a clean error; every served API
// round-trips at every served version; unserved keys and versions are told
// apart from malformed bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "gafka/kafka/api_table.h"
#include "gafka/kafka/codec.h"
#include "gafka/kafka/errors.h"
#include "gafka/kafka/frame.h"
#include "gafka/kafka/messages/api_versions.h"
#include "gafka/kafka/messages/join_group.h"
#include "gafka/kafka/messages/metadata.h"
#include "gafka/kafka/messages/produce.h"

namespace gafka::kafka {
namespace {

using namespace std::literals;
constexpr std::size_t max_frame = 1 << 20;

std::string read_vector(const std::string& name) {
    std::ifstream in(std::string(GAFKA_KAFKA_TEST_DATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string with_size(std::string body) {
    std::string frame;
    writer(frame).i32(static_cast<std::int32_t>(body.size()));
    return frame + body;
}

std::string reencode(const request& req) {
    std::string out;
    encode_request(*req.api, req.header, req.body, out);
    return out;
}

// Fills every field the version has with a value unlike its default, so a
// round trip proves each one is written and read back (tagged ones too).
class filler {
public:
    filler(api_version_t v, std::string_view records) : version_(v), records_(records) {}

    value fill(const struct_schema& s) {
        value v = value::make(s);
        auto& fields = v.as_struct().fields;
        for (std::size_t i = 0; i < s.fields.size(); ++i)
            if (s.fields[i].present.contains(version_)) fields[i] = fill(s.fields[i]);
        return v;
    }

private:
    value scalar(type t) {
        ++n_;
        switch (t) {
        case type::boolean: return value(std::int64_t{1});
        case type::int8: return value(std::int64_t{-(n_ % 100)});
        case type::int16: return value(std::int64_t{-1000 - n_});
        case type::int32:
        case type::uint32: return value(std::int64_t{100000 + n_});
        case type::int64:
        case type::float64: return value(std::int64_t{-(1LL << 40) - n_});
        case type::uuid: return value(uuid_bytes{static_cast<std::uint8_t>(n_), 1, 2, 3});
        case type::string:
        case type::bytes: return value("s" + std::to_string(n_) + "\xff");
        case type::records: return value(records_t{records_});
        default: return value();
        }
    }

    value fill(const field& f) {
        if (f.nullable.contains(version_) && ++n_ % 3 == 0) return value();  // some nulls too
        if (f.kind == type::structure) return fill(*f.sub);
        if (f.kind != type::array) return scalar(f.kind);
        array_t items;
        for (int i = 0; i < 2; ++i) items.push_back(f.element == type::structure ? fill(*f.sub) : scalar(f.element));
        return value(std::move(items));
    }

    api_version_t version_;
    std::string_view records_;
    std::int64_t n_ = 0;
};

TEST(kafka_messages_test, kcat_api_versions_v3_request_decodes_to_what_librdkafka_sent) {
    std::string frame = read_vector("kcat_api_versions_v3.bin");
    auto req = decode_request(frame, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_EQ(req->supported, support::served);
    EXPECT_EQ(req->header.api_key, api_key::api_versions);
    EXPECT_EQ(req->header.api_version, 3);
    EXPECT_EQ(req->header.correlation_id, 1);
    EXPECT_EQ(req->header.client_id, "rdkafka");
    EXPECT_EQ(req->body.str("client_software_name"), "librdkafka");
    EXPECT_EQ(req->body.str("client_software_version"), "2.0.2");
    EXPECT_EQ(reencode(*req), frame);
}

TEST(kafka_messages_test, kcat_metadata_v4_requests_decode_topics_and_auto_create) {
    std::string bare = read_vector("kcat_metadata_v4_no_topics.bin");
    auto req = decode_request(bare, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_EQ(req->header.api_key, api_key::metadata);
    EXPECT_EQ(req->header.api_version, 4);
    EXPECT_EQ(req->header.correlation_id, 2);
    EXPECT_EQ(req->header.client_id, "rdkafka");
    EXPECT_FALSE(req->body.at("topics").is_null());  // an empty list: brokers only
    EXPECT_TRUE(req->body.array("topics").empty());
    EXPECT_FALSE(req->body.boolean("allow_auto_topic_creation"));
    EXPECT_EQ(reencode(*req), bare);

    std::string named = read_vector("kcat_metadata_v4_topic_events.bin");
    req = decode_request(named, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    ASSERT_EQ(req->body.array("topics").size(), 1u);
    EXPECT_EQ(req->body.array("topics")[0].str("name"), "events");
    EXPECT_TRUE(req->body.boolean("allow_auto_topic_creation"));
    EXPECT_EQ(reencode(*req), named);
}

TEST(kafka_messages_test, kcat_produce_v7_request_keeps_its_record_batch_as_sent) {
    // printf 'k1\thello gafka\n' | kcat -P -t events -K '\t' -p 0
    std::string frame = read_vector("kcat_produce_v7_events.bin");
    auto req = decode_request(frame, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_EQ(req->header.api_key, api_key::produce);
    EXPECT_EQ(req->header.api_version, 7);
    EXPECT_EQ(req->header.client_id, "rdkafka");
    EXPECT_EQ(req->body.nullable_str("transactional_id"), std::nullopt);
    EXPECT_EQ(req->body.i16("acks"), -1);
    EXPECT_EQ(req->body.i32("timeout_ms"), 30000);
    const array_t& topics = req->body.array("topic_data");
    ASSERT_EQ(topics.size(), 1u);
    EXPECT_EQ(topics[0].str("name"), "events");
    ASSERT_EQ(topics[0].array("partition_data").size(), 1u);
    const value& partition = topics[0].array("partition_data")[0];
    EXPECT_EQ(partition.i32("index"), 0);
    auto batch = partition.records("records");
    ASSERT_TRUE(batch.has_value());
    ASSERT_EQ(batch->size(), 81u);           // one RecordBatch v2 of one record
    EXPECT_EQ((*batch)[16], '\x02');         // magic
    EXPECT_EQ(batch->data(), frame.data() + frame.size() - 81);  // a view, not a copy
    EXPECT_NE(batch->find("hello gafka"), std::string_view::npos);
    EXPECT_EQ(reencode(*req), frame);
}

TEST(kafka_messages_test, every_cut_of_a_real_frame_is_a_clean_error) {
    for (const char* name : {"kcat_api_versions_v3.bin", "kcat_metadata_v4_no_topics.bin",
                             "kcat_metadata_v4_topic_events.bin", "kcat_produce_v7_events.bin"}) {
        std::string frame = read_vector(name);
        for (std::size_t cut = 0; cut < frame.size(); ++cut) {
            // Cut with its prefix as sent: the size no longer matches.
            auto as_sent = decode_request(std::string_view(frame).substr(0, cut), max_frame);
            EXPECT_FALSE(as_sent.ok()) << name << " cut at " << cut;
            // Cut with a prefix that agrees: the body itself runs short.
            if (cut < frame_prefix_size) continue;
            std::string short_body = with_size(frame.substr(frame_prefix_size, cut - frame_prefix_size));
            auto agreed = decode_request(short_body, max_frame);
            ASSERT_FALSE(agreed.ok()) << name << " body cut at " << cut;
            EXPECT_EQ(agreed.error().code(), status_code::corruption);
        }
    }
}

TEST(kafka_messages_test, every_api_round_trips_at_every_served_version) {
    const std::string records = "\x00\x00\x00\x00\x00\x00\x00\x07opaque batch bytes"s;
    for (const api_schema* api : served_apis()) {
        for (api_version_t v = api->supported.min; v <= api->supported.max; ++v) {
            SCOPED_TRACE(std::string(api->name) + " v" + std::to_string(v));
            request_header h{api->key, v, 7 + v, v % 2 ? std::optional<std::string>("client") : std::nullopt};
            value body = filler(v, records).fill(*api->request);
            std::string frame;
            encode_request(*api, h, body, frame);
            auto req = decode_request(frame, max_frame);
            ASSERT_TRUE(req.ok()) << req.error().to_string();
            EXPECT_EQ(req->supported, support::served);
            EXPECT_EQ(req->header, h);
            EXPECT_EQ(req->body, body) << to_debug_string(req->body) << "\n" << to_debug_string(body);
            EXPECT_EQ(reencode(*req), frame);

            value answer = filler(v, records).fill(*api->response);
            std::string out;
            encode_response(*api, v, 99, answer, out);
            auto resp = decode_response(*api, v, out, max_frame);
            ASSERT_TRUE(resp.ok()) << resp.error().to_string();
            EXPECT_EQ(resp->correlation_id, 99);
            EXPECT_EQ(resp->body, answer) << to_debug_string(resp->body) << "\n" << to_debug_string(answer);
            std::string again;
            encode_response(*api, v, 99, resp->body, again);
            EXPECT_EQ(again, out);
        }
    }
}

TEST(kafka_messages_test, records_are_a_view_into_the_frame_not_a_copy) {
    value body = value::make(messages::produce_fields::request);
    body.set("acks", -1).set("timeout_ms", 1500);
    value& topic = body.add("topic_data").set("name", "t");
    topic.add("partition_data").set("index", 0).set_records("records", "BATCH");
    std::string frame;
    encode_request(messages::produce, {api_key::produce, 7, 1, "c"}, body, frame);
    auto req = decode_request(frame, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    auto view = req->body.array("topic_data")[0].array("partition_data")[0].records("records");
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(*view, "BATCH");
    EXPECT_GE(view->data(), frame.data());
    EXPECT_LE(view->data() + view->size(), frame.data() + frame.size());
    EXPECT_TRUE(req->body.nullable_str("transactional_id") == std::nullopt);
    EXPECT_EQ(req->body.i16("acks"), -1);
}

TEST(kafka_messages_test, fields_a_version_lacks_hold_kafkas_defaults) {
    // Metadata v0: no allow_auto_topic_creation on the wire, true as in Kafka.
    std::string frame;
    value md = value::make(messages::metadata_fields::request);
    md.add("topics").set("name", "a");
    encode_request(messages::metadata, {api_key::metadata, 0, 1, std::nullopt}, md, frame);
    auto req = decode_request(frame, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_TRUE(req->body.boolean("allow_auto_topic_creation"));

    // JoinGroup v0: no rebalance timeout (-1) and no static membership (null).
    frame.clear();
    value jg = value::make(messages::join_group_fields::request);
    jg.set("group_id", "g").set("protocol_type", "consumer");
    encode_request(messages::join_group, {api_key::join_group, 0, 1, "c"}, jg, frame);
    req = decode_request(frame, max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_EQ(req->body.i32("rebalance_timeout_ms"), -1);
    EXPECT_EQ(req->body.nullable_str("group_instance_id"), std::nullopt);
    EXPECT_EQ(req->body.str("group_id"), "g");
}

TEST(kafka_messages_test, unknown_api_key_and_unserved_version_are_not_malformed) {
    auto unknown = decode_request(with_size("\x00\x63\x00\x00\x00\x00\x00\x2a"s), max_frame);  // key 99
    ASSERT_TRUE(unknown.ok()) << unknown.error().to_string();
    EXPECT_EQ(unknown->supported, support::unknown_api);
    EXPECT_EQ(unknown->api, nullptr);
    EXPECT_EQ(unknown->header.correlation_id, 42);

    // ApiVersions v9 (newer than gafka): answerable as v0 with error 35.
    auto newer = decode_request(with_size("\x00\x12\x00\x09\x00\x00\x00\x05\x00\x01x\x00\x7f\x7f"s), max_frame);
    ASSERT_TRUE(newer.ok()) << newer.error().to_string();
    EXPECT_EQ(newer->supported, support::unsupported_version);
    EXPECT_EQ(newer->header.api_key, api_key::api_versions);
    EXPECT_EQ(newer->header.correlation_id, 5);
    EXPECT_EQ(newer->header.client_id, "x");
    EXPECT_TRUE(newer->body.is_null());

    auto produce_v8 = decode_request(with_size("\x00\x00\x00\x08\x00\x00\x00\x06\xff\xff"s), max_frame);
    ASSERT_TRUE(produce_v8.ok());
    EXPECT_EQ(produce_v8->supported, support::unsupported_version);
}

TEST(kafka_messages_test, a_frame_over_the_limit_is_refused_from_its_prefix) {
    auto len = frame_length("\x00\x00\x04\x01"sv, 1024);
    ASSERT_FALSE(len.ok());
    EXPECT_EQ(len.error().code(), status_code::too_large);
    EXPECT_EQ(frame_length("\x00\x00\x04\x00"sv, 1024).value(), 1024u);
    EXPECT_EQ(frame_length("\xff\xff\xff\xff"sv, 1024).error().code(), status_code::corruption);
    std::string frame = read_vector("kcat_api_versions_v3.bin");
    auto req = decode_request(frame, frame.size() - frame_prefix_size - 1);
    ASSERT_FALSE(req.ok());
    EXPECT_EQ(req.error().code(), status_code::too_large);
}

TEST(kafka_messages_test, unknown_tagged_fields_are_skipped) {
    std::string frame = read_vector("kcat_api_versions_v3.bin");
    // The body's tagged section (its last byte, 0) now holds tag 9 of 3 bytes.
    std::string body = frame.substr(frame_prefix_size, frame.size() - frame_prefix_size - 1) + "\x01\x09\x03" "abc"s;
    auto req = decode_request(with_size(body), max_frame);
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    EXPECT_EQ(req->body, decode_request(frame, max_frame)->body);
}

TEST(kafka_messages_test, api_versions_v3_response_has_header_v0_and_is_what_librdkafka_accepted) {
    // The answer tests/unit/data/kafka's capture gave kcat, which went on to
    // send Metadata: correlation id, no header tags, error 0, the served
    // table, throttle 0, no body tags.
    value body = value::make(messages::api_versions_fields::response);
    std::string expected = "\x00\x00\x00\x01\x00\x00"s;
    expected += static_cast<char>(served_apis().size() + 1);
    for (const api_schema* api : served_apis()) {
        body.add("api_keys").set("api_key", api->key).set("min_version", api->supported.min)
            .set("max_version", api->supported.max);
        std::string row;
        writer w(row);
        w.i16(api->key);
        w.i16(api->supported.min);
        w.i16(api->supported.max);
        w.uvarint(0);
        expected += row;
    }
    expected += "\x00\x00\x00\x00\x00"s;
    std::string out;
    encode_response(messages::api_versions, 3, 1, body, out);
    EXPECT_EQ(out, with_size(expected));
    EXPECT_EQ(response_header_version(messages::api_versions, 3), 0);
    EXPECT_EQ(response_header_version(messages::metadata, 9), 1);
    EXPECT_EQ(request_header_version(messages::api_versions, 3), 2);
    EXPECT_EQ(request_header_version(messages::metadata, 8), 1);
}

TEST(kafka_messages_test, error_codes_are_kafkas_numbers) {
    EXPECT_EQ(code(error_code::offset_out_of_range), 1);
    EXPECT_EQ(code(error_code::unknown_topic_or_partition), 3);
    EXPECT_EQ(code(error_code::not_leader_or_follower), 6);
    EXPECT_EQ(code(error_code::message_too_large), 10);
    EXPECT_EQ(code(error_code::not_coordinator), 16);
    EXPECT_EQ(code(error_code::illegal_generation), 22);
    EXPECT_EQ(code(error_code::inconsistent_group_protocol), 23);
    EXPECT_EQ(code(error_code::unknown_member_id), 25);
    EXPECT_EQ(code(error_code::rebalance_in_progress), 27);
    EXPECT_EQ(code(error_code::unsupported_version), 35);
    EXPECT_EQ(code(error_code::out_of_order_sequence_number), 45);
    EXPECT_EQ(code(error_code::invalid_producer_epoch), 47);
    EXPECT_EQ(code(error_code::sasl_authentication_failed), 58);
    EXPECT_EQ(code(error_code::invalid_record), 87);
}

}  // namespace
}  // namespace gafka::kafka
