// The Kafka Produce and Fetch handlers (kafka/handlers/data_handlers.h) on a
// real broker core, with requests built and read through the codec as a
// client would send them, and batches built by the log's batch builder.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <deque>
#include <fstream>
#include <iterator>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "gafka/kafka/handlers/data_handlers.h"
#include "gafka/kafka/messages/fetch.h"
#include "gafka/kafka/messages/produce.h"
#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"

#include "core_fixture.h"

namespace gafka::kafka {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
namespace pf = messages::produce_fields;
namespace ff = messages::fetch_fields;

constexpr std::size_t max_frame = 100 << 20;

struct produce_part {
    std::int32_t index;
    std::string records;
};

class kafka_data_handlers_test : public test::core_fixture {
protected:
    // The request as the broker decodes it from the frame a client sends;
    // its record views point into frames_, which outlives it.
    request decoded(const api_schema& api, api_version_t version, const value& body) {
        auto& frame = frames_.emplace_back();
        encode_request(api, {api.key, version, 7, "test"}, body, frame);
        auto req = decode_request(frame, max_frame);
        EXPECT_TRUE(req.ok()) << req.error().to_string();
        return std::move(*req);
    }

    request produce_request(const std::string& topic, std::vector<produce_part> parts, std::int16_t acks = -1,
                            api_version_t version = 7) {
        value body = value::make(pf::request);
        body.set("acks", acks).set("timeout_ms", 30000);
        value& t = body.add("topic_data").set("name", topic);
        for (auto& p : parts) t.add("partition_data").set("index", p.index).set_records("records", p.records);
        return decoded(messages::produce, version, body);
    }
    request produce_request(const std::string& topic, std::string records, std::int16_t acks = -1) {
        return produce_request(topic, {{0, std::move(records)}}, acks);
    }

    struct fetch_part {
        std::int32_t index;
        std::int64_t offset;
        std::int32_t max_bytes = 1 << 20;
    };
    request fetch_request(const std::string& topic, std::vector<fetch_part> parts, std::int32_t max_wait_ms = 0,
                          std::int32_t min_bytes = 1, std::int32_t max_bytes = 50 << 20, api_version_t version = 11) {
        value body = value::make(ff::request);
        body.set("max_wait_ms", max_wait_ms).set("min_bytes", min_bytes).set("max_bytes", max_bytes);
        value& t = body.add("topics").set("topic", topic);
        for (auto& p : parts)
            t.add("partitions").set("partition", p.index).set("fetch_offset", p.offset).set("partition_max_bytes",
                                                                                             p.max_bytes);
        return decoded(messages::fetch, version, body);
    }

    // The one partition answer of a one-partition produce or fetch.
    static const value& only_partition(const value& body, const char* topics, const char* partitions) {
        EXPECT_EQ(body.array(topics).size(), 1u);
        EXPECT_EQ(body.array(topics)[0].array(partitions).size(), 1u);
        return body.array(topics)[0].array(partitions)[0];
    }
    value produce(const request& req) {
        auto a = run(handle_produce(req, *core_));
        EXPECT_TRUE(a.has_value());
        return a ? a->body : value();
    }
    // The answer of a one-partition produce.
    value produce_one(const std::string& topic, std::string records, std::int16_t acks = -1) {
        return only_partition(produce(produce_request(topic, std::move(records), acks)), "responses",
                              "partition_responses");
    }
    // The Fetch answer as a client reads it: encoded with its record sets
    // left to the file ranges, those read in (what sendfile sends), and
    // decoded again; the frame is kept for the body's views.
    answer fetch(const request& req) {
        auto a = run(handle_fetch(req, *core_));
        EXPECT_TRUE(a.has_value());
        return a ? as_read(*a, req.header.api_version) : answer{};
    }
    answer as_read(const answer& a, api_version_t v) {
        std::string frame;
        std::vector<splice> splices;
        encode_response(messages::fetch, v, 7, a.body, frame, &splices);
        auto whole = splice_in(frame, splices, a.files);
        EXPECT_TRUE(whole.ok());
        auto back = decode_response(messages::fetch, v, frames_.emplace_back(std::move(*whole)), max_frame);
        EXPECT_TRUE(back.ok()) << back.error().to_string();
        return back.ok() ? answer{std::move(back->body)} : answer{};
    }

    std::deque<std::string> frames_;
};

// The batch as the log stores it at `base`: the broker stamps its offset
// (outside the CRC), nothing else.
std::string stamped(std::string batch, log::offset_t base) {
    log::restamp(batch, base, 0);
    return batch;
}

// Sets a header byte and the CRC again, as a client writing it would.
std::string with_byte(std::string batch, std::size_t at, char v) {
    batch[at] = v;
    util::store_be<std::uint32_t>(batch.data() + log::batch_field::crc,
                                  crc32c::value(batch.data() + log::crc_start, batch.size() - log::crc_start));
    return batch;
}

TEST_F(kafka_data_handlers_test, produce_then_fetch_returns_the_batches_as_stored_at_their_offsets) {
    open(flush_mode::always);
    make_topic("t");
    auto first = batch(3, "a"), second = batch(2, "b");
    auto p1 = produce_one("t", first);
    EXPECT_EQ(p1.i16("error_code"), 0);
    EXPECT_EQ(p1.i64("base_offset"), 0);
    EXPECT_EQ(p1.i64("log_append_time_ms"), -1);
    EXPECT_EQ(p1.i64("log_start_offset"), 0);
    EXPECT_EQ(produce_one("t", second).i64("base_offset"), 3);

    auto a = fetch(fetch_request("t", {{0, 0}}));
    const auto& p = only_partition(a.body, "responses", "partitions");
    EXPECT_EQ(p.i16("error_code"), 0);
    EXPECT_EQ(p.i64("high_watermark"), 5);
    EXPECT_EQ(p.i64("last_stable_offset"), 5);
    EXPECT_EQ(p.i64("log_start_offset"), 0);
    EXPECT_EQ(p.i32("preferred_read_replica"), -1);
    EXPECT_FALSE(p.at("aborted_transactions").is_null());
    EXPECT_TRUE(p.array("aborted_transactions").empty());
    ASSERT_TRUE(p.records("records").has_value());
    EXPECT_EQ(*p.records("records"), stamped(first, 0) + stamped(second, 3));
    EXPECT_EQ(stamped(first, 0), first);  // the first went to disk exactly as it came
    EXPECT_EQ(log::check_batch(stamped(second, 3)), log::batch_problem::none);  // the CRC holds after stamping
    EXPECT_EQ(topics_->find("t")->records_out.load(), 5);

    // From the middle: the batch holding the offset, then the rest.
    a = fetch(fetch_request("t", {{0, 4}}));
    EXPECT_EQ(*only_partition(a.body, "responses", "partitions").records("records"), stamped(second, 3));
}

TEST_F(kafka_data_handlers_test, a_partition_following_another_broker_in_a_cluster_answers_6_and_writes_nothing) {
    open(flush_mode::always);
    make_topic("t");
    topics_->find("t")->partitions[0]->follow_in_cluster(2, 3, "127.0.0.1:9003");
    EXPECT_EQ(produce_one("t", batch(1, "a")).i16("error_code"), code(error_code::not_leader_or_follower));
    EXPECT_EQ(produce_one("t", batch(1, "a"), 1).i16("error_code"), code(error_code::not_leader_or_follower));
    EXPECT_EQ(topics_->find("t")->partitions[0]->log().log_end_offset(), 0);
    auto a = fetch(fetch_request("t", {{0, 0}}));
    EXPECT_EQ(only_partition(a.body, "responses", "partitions").i16("error_code"),
              code(error_code::not_leader_or_follower));
}

TEST_F(kafka_data_handlers_test, the_log_writes_the_batch_from_the_request_frame_without_a_copy) {
    open(flush_mode::always);
    make_topic("t");
    ASSERT_EQ(produce_one("t", batch(3, "a")).i64("base_offset"), 0);
    auto req = produce_request("t", batch(2, "b"));
    auto lent = *req.body.array("topic_data")[0].array("partition_data")[0].records("records");
    ASSERT_EQ(log::decode_header(lent.data()).base_offset, 0);
    ASSERT_EQ(produce(req).array("responses")[0].array("partition_responses")[0].i64("base_offset"), 3);
    // The log stamped the batch where the frame holds it: it was not copied.
    EXPECT_EQ(log::decode_header(lent.data()).base_offset, 3);
    auto a = fetch(fetch_request("t", {{0, 3}}));
    EXPECT_EQ(*only_partition(a.body, "responses", "partitions").records("records"), lent);
}

TEST_F(kafka_data_handlers_test, the_answers_encode_and_read_back_through_the_codec_at_every_version) {
    open();
    make_topic("t");
    for (api_version_t v = 3; v <= 7; ++v) {
        auto req = produce_request("t", {{0, batch(1)}}, -1, v);
        auto a = run(handle_produce(req, *core_));
        ASSERT_TRUE(a.has_value());
        std::string frame;
        encode_response(messages::produce, v, 7, a->body, frame);
        auto back = decode_response(messages::produce, v, frame, max_frame);
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_EQ(back->body.array("responses")[0].array("partition_responses")[0].i64("base_offset"), v - 3);
    }
    for (api_version_t v = 4; v <= 11; ++v) {
        auto a = fetch(fetch_request("t", {{0, 0}, {0, 5}}, 0, 1, 50 << 20, v));
        std::string frame;
        encode_response(messages::fetch, v, 7, a.body, frame);
        auto back = decode_response(messages::fetch, v, frame, max_frame);
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        const auto& parts = back->body.array("responses")[0].array("partitions");
        ASSERT_EQ(parts.size(), 2u);
        ASSERT_TRUE(parts[0].records("records").has_value());
        EXPECT_EQ(log::decode_header(parts[0].records("records")->data()).record_count, 1);
        ASSERT_TRUE(parts[1].records("records").has_value());  // nothing new: empty, never null
        EXPECT_TRUE(parts[1].records("records")->empty());
        EXPECT_EQ(parts[1].i64("high_watermark"), 5);
    }
}

TEST_F(kafka_data_handlers_test, an_idempotent_retry_gets_its_first_offsets_and_a_gap_is_45) {
    open();
    make_topic("t");
    EXPECT_EQ(produce_one("t", batch(2, "a", 42, 0)).i64("base_offset"), 0);
    auto retry = produce_one("t", batch(2, "a", 42, 0));
    EXPECT_EQ(retry.i16("error_code"), 0);
    EXPECT_EQ(retry.i64("base_offset"), 0);
    EXPECT_EQ(part("t").log().log_end_offset(), 2);  // not stored twice
    EXPECT_EQ(topics_->find("t")->records_in.load(), 2);
    auto gap = produce_one("t", batch(1, "a", 42, 5));
    EXPECT_EQ(gap.i16("error_code"), code(error_code::out_of_order_sequence_number));
    EXPECT_EQ(gap.i64("base_offset"), -1);
    EXPECT_EQ(produce_one("t", batch(1, "a", 42, 2)).i64("base_offset"), 2);  // the next in sequence
}

TEST_F(kafka_data_handlers_test, a_newer_producer_epoch_restarts_at_sequence_0_and_an_older_one_is_47) {
    open();
    make_topic("t");
    auto at_epoch_1 = [](std::string b) { return with_byte(std::move(b), log::batch_field::producer_epoch + 1, 1); };
    EXPECT_EQ(produce_one("t", batch(2, "a", 42, 0)).i64("base_offset"), 0);
    EXPECT_EQ(produce_one("t", at_epoch_1(batch(1, "b", 42, 0))).i64("base_offset"), 2);
    auto stale = produce_one("t", batch(1, "c", 42, 2));
    EXPECT_EQ(stale.i16("error_code"), code(error_code::invalid_producer_epoch));
    EXPECT_EQ(stale.i64("base_offset"), -1);
    EXPECT_EQ(part("t").log().log_end_offset(), 3);
    EXPECT_EQ(produce_one("t", at_epoch_1(batch(1, "c", 42, 1))).i64("base_offset"), 3);
}

TEST_F(kafka_data_handlers_test, bad_record_sets_are_refused_with_kafkas_codes_and_nothing_is_written) {
    open();
    make_topic("t");
    auto flipped = batch(2);
    flipped.back() ^= 0x01;
    EXPECT_EQ(produce_one("t", flipped).i16("error_code"), code(error_code::corrupt_message));
    auto old_magic = with_byte(batch(1), log::batch_field::magic, 1);  // a message set of magic 1
    EXPECT_EQ(produce_one("t", old_magic).i16("error_code"), code(error_code::unsupported_for_message_format));
    auto new_magic = with_byte(batch(1), log::batch_field::magic, 3);
    EXPECT_EQ(produce_one("t", new_magic).i16("error_code"), code(error_code::corrupt_message));
    EXPECT_EQ(produce_one("t", batch(1) + batch(1)).i16("error_code"), code(error_code::corrupt_message));
    EXPECT_EQ(produce_one("t", "").i16("error_code"), code(error_code::corrupt_message));
    auto compressed = with_byte(batch(1), log::batch_field::attributes + 1, 1);  // gzip, in the low byte
    ASSERT_EQ(log::decode_header(compressed.data()).compression(), 1);
    EXPECT_EQ(produce_one("t", compressed).i16("error_code"), code(error_code::corrupt_message));  // not gzip
    log::batch_builder big;
    big.add(1000, std::nullopt, std::string(1100 * 1000, 'x'));
    EXPECT_EQ(produce_one("t", big.finish()).i16("error_code"), code(error_code::message_too_large));
    EXPECT_EQ(part("t").log().log_end_offset(), 0);
}

TEST_F(kafka_data_handlers_test, kcats_compressed_batches_are_stored_as_they_came) {
    open();
    make_topic("t");
    log::offset_t end = 0;
    for (const char* codec : {"gzip", "snappy", "lz4", "zstd"}) {
        std::ifstream in(std::string(GAFKA_KAFKA_TEST_DATA) + "/kcat_batch_" + codec + ".bin", std::ios::binary);
        std::string sent{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        ASSERT_FALSE(sent.empty()) << codec;
        auto answer = produce_one("t", sent);
        EXPECT_EQ(answer.i16("error_code"), 0) << codec;
        EXPECT_EQ(answer.i64("base_offset"), end) << codec;
        auto stored = part("t").log().read(end, 1 << 20);
        ASSERT_TRUE(stored.ok());
        // Byte for byte from the magic on: base offset and leader epoch are the broker's.
        EXPECT_EQ(stored->data.substr(log::batch_field::magic, sent.size() - log::batch_field::magic),
                  sent.substr(log::batch_field::magic))
            << codec;
        end += 20;
    }
    EXPECT_EQ(part("t").log().log_end_offset(), 80);
}

TEST_F(kafka_data_handlers_test, unknown_topics_and_partitions_are_3_unless_the_topic_is_created_on_first_produce) {
    open();
    core_->auto_create_topics = false;
    EXPECT_EQ(produce_one("nope", batch(1)).i16("error_code"), code(error_code::unknown_topic_or_partition));
    EXPECT_EQ(topics_->find("nope"), nullptr);
    core_->auto_create_topics = true;
    core_->default_partitions = 2;
    auto body = produce(produce_request("new", {{1, batch(1)}, {2, batch(1)}}));
    const auto& parts = body.array("responses")[0].array("partition_responses");
    EXPECT_EQ(parts[0].i16("error_code"), 0);
    EXPECT_EQ(parts[1].i16("error_code"), code(error_code::unknown_topic_or_partition));
    ASSERT_NE(topics_->find("new"), nullptr);
    EXPECT_EQ(topics_->find("new")->partitions.size(), 2u);
    EXPECT_EQ(part("new", 1).log().log_end_offset(), 1);
}

TEST_F(kafka_data_handlers_test, acks_0_gets_no_answer_but_is_written_and_other_acks_are_21) {
    open();
    make_topic("t");
    auto none = run(handle_produce(produce_request("t", batch(3), 0), *core_));
    EXPECT_FALSE(none.has_value());
    EXPECT_EQ(part("t").log().log_end_offset(), 3);
    EXPECT_EQ(produce_one("t", batch(1), 2).i16("error_code"), code(error_code::invalid_required_acks));
    EXPECT_EQ(part("t").log().log_end_offset(), 3);
}

TEST_F(kafka_data_handlers_test, acks_all_without_enough_insync_replicas_is_19_and_acks_1_is_not) {
    open(flush_mode::never, 2);
    make_topic("t");
    EXPECT_EQ(produce_one("t", batch(1), -1).i16("error_code"), code(error_code::not_enough_replicas));
    EXPECT_EQ(part("t").log().log_end_offset(), 0);
    EXPECT_EQ(produce_one("t", batch(1), 1).i16("error_code"), 0);
}

TEST_F(kafka_data_handlers_test, a_fetch_out_of_range_is_1_and_of_an_unknown_topic_3) {
    open();
    make_topic("t");
    ASSERT_EQ(produce_one("t", batch(2)).i16("error_code"), 0);
    auto a = fetch(fetch_request("t", {{0, 3}, {1, 0}}));
    const auto& parts = a.body.array("responses")[0].array("partitions");
    EXPECT_EQ(parts[0].i16("error_code"), code(error_code::offset_out_of_range));
    EXPECT_EQ(parts[0].i64("high_watermark"), 2);
    EXPECT_TRUE(parts[0].records("records").has_value());
    EXPECT_EQ(parts[1].i16("error_code"), code(error_code::unknown_topic_or_partition));
    a = fetch(fetch_request("gone", {{0, 0}}));
    EXPECT_EQ(only_partition(a.body, "responses", "partitions").i16("error_code"),
              code(error_code::unknown_topic_or_partition));
}

TEST_F(kafka_data_handlers_test, the_first_batch_comes_whole_past_max_bytes_and_later_partitions_keep_to_them) {
    open();
    make_topic("t", 2);
    auto big = batch(20, std::string(200, 'x'));
    ASSERT_EQ(produce_one("t", big).i16("error_code"), 0);
    ASSERT_EQ(produce(produce_request("t", {{1, batch(1)}})).array("responses")[0].array("partition_responses")[0].i16(
                  "error_code"),
              0);
    auto a = fetch(fetch_request("t", {{0, 0, 100}, {1, 0, 100}}, 0, 1, 100));
    const auto& parts = a.body.array("responses")[0].array("partitions");
    EXPECT_EQ(*parts[0].records("records"), big);  // whole, over both limits
    EXPECT_EQ(parts[1].i16("error_code"), 0);
    EXPECT_TRUE(parts[1].records("records")->empty());  // the answer is full
    EXPECT_EQ(parts[1].i64("high_watermark"), 1);
}

TEST_F(kafka_data_handlers_test, a_long_poll_wakes_when_a_produce_appends) {
    open();
    make_topic("t");
    auto fetch_req = fetch_request("t", {{0, 0}}, 60000, 1);
    auto produce_req = produce_request("t", batch(2), 1);
    auto deadline = std::chrono::steady_clock::now() + 60s;
    asio::io_context io;
    std::optional<answer> fetched;
    bool produced = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { fetched = co_await handle_fetch(fetch_req, *core_); },
                   asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::post(io, asio::use_awaitable);  // the fetch waits by now
            EXPECT_FALSE(fetched.has_value());
            produced = (co_await handle_produce(produce_req, *core_)).has_value();
        },
        asio::detached);
    io.run();
    EXPECT_TRUE(produced);
    ASSERT_TRUE(fetched.has_value());
    EXPECT_LT(std::chrono::steady_clock::now(), deadline);  // woken by the append, not by max_wait_ms
    auto read = as_read(*fetched, fetch_req.header.api_version);
    const auto& p = only_partition(read.body, "responses", "partitions");
    ASSERT_GE(p.records("records")->size(), log::batch_header_size);
    EXPECT_EQ(log::decode_header(p.records("records")->data()).record_count, 2);
    EXPECT_EQ(core_->long_polls.waiting(), 0);
}

TEST_F(kafka_data_handlers_test, a_fetch_session_the_broker_never_gave_is_refused) {
    open();
    value body = value::make(ff::request);
    body.set("session_id", 12).set("session_epoch", 3);
    auto a = fetch(decoded(messages::fetch, 11, body));
    EXPECT_EQ(a.body.i16("error_code"), code(error_code::fetch_session_id_not_found));
}

}  // namespace
}  // namespace gafka::kafka
