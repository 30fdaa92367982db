#include "gafka/log/batch.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "gafka/util/endian.h"

namespace gafka::log {

std::vector<record> read_records(const std::string& batch) {
    std::vector<record> out;
    batch_records records(batch);
    record_view r;
    while (records.next(r)) out.push_back(r.to_record());
    return out;
}

TEST(batch_test, round_trips_keys_values_headers_and_nulls) {
    std::vector<record> in = {
        {1000, std::string("k1"), std::string("v1"), {}},
        {1002, std::nullopt, std::string("no key"), {{"h", "x"}, {"trace", "abc"}}},
        {1001, std::string("tombstone"), std::nullopt, {}},
        {1003, std::string(""), std::string("\x00\xff binary", 9), {}},
    };
    batch_builder b;
    for (const auto& r : in) b.add(r);
    auto batch = b.finish(42, 3);
    ASSERT_EQ(check_batch(batch), batch_problem::none);
    auto h = decode_header(batch.data());
    EXPECT_EQ(h.base_offset, 42);
    EXPECT_EQ(h.leader_epoch, 3);
    EXPECT_EQ(h.record_count, 4);
    EXPECT_EQ(h.first_timestamp, 1000);
    EXPECT_EQ(h.max_timestamp, 1003);
    EXPECT_EQ(h.length, batch.size());
    EXPECT_EQ(read_records(batch), in);
    batch_records records(batch);
    record_view r;
    ASSERT_TRUE(records.next(r));
    EXPECT_EQ(r.offset, 42);
    ASSERT_TRUE(records.next(r));
    EXPECT_EQ(r.offset, 43);
}

TEST(batch_test, builder_resets_after_finish) {
    batch_builder b;
    b.add(1, std::nullopt, "a");
    auto first = b.finish();
    EXPECT_TRUE(b.empty());
    b.add(2, std::nullopt, "b");
    auto second = b.finish(1);
    EXPECT_EQ(read_records(second).size(), 1u);
    EXPECT_EQ(*read_records(second)[0].value, "b");
}

// Kafka's layout leaves base_offset (bytes 0-7) and leader_epoch (12-15) out
// of the CRC, so the broker can stamp them; the scanner checks the offsets
// are dense (segment_scanner_test), and every other byte is checked here.
TEST(batch_test, every_flipped_byte_the_crc_covers_is_detected) {
    batch_builder b;
    b.add(5, std::string("key"), std::string("value"), std::vector<record_header>{{"a", "b"}});
    b.add(6, std::nullopt, std::string("second"));
    auto good = b.finish(7);
    for (std::size_t i = batch_field::batch_length; i < good.size(); ++i) {
        if (i >= batch_field::leader_epoch && i < batch_field::magic) continue;
        auto bad = good;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        EXPECT_NE(check_batch(bad), batch_problem::none) << "byte " << i;
    }
}

TEST(batch_test, the_layout_is_kafkas_record_batch_v2) {
    batch_builder b;
    b.add(1700000000123, std::string("k"), std::string("v"), std::vector<record_header>{{"h", "x"}});
    auto batch = b.finish(0x0102030405060708, 0x0a0b0c0d, 42, 7, 3);
    ASSERT_EQ(check_batch(batch), batch_problem::none);
    // The fields sit where Kafka's DefaultRecordBatch puts them, big-endian.
    EXPECT_EQ(batch.substr(0, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
    EXPECT_EQ(batch.substr(12, 5), std::string("\x0a\x0b\x0c\x0d\x02", 5));
    auto h = decode_header(batch.data());
    EXPECT_EQ(h.length, batch.size());
    EXPECT_EQ(h.producer_id, 42);
    EXPECT_EQ(h.producer_epoch, 3);
    EXPECT_EQ(h.base_sequence, 7);
    EXPECT_EQ(h.last_offset_delta, 0);
    // One record: length 12, attributes 0, timestamp delta 0, offset delta 0,
    // key "k", value "v", one header h=x (zigzag varints).
    EXPECT_EQ(batch.substr(batch_header_size), std::string("\x18\x00\x00\x00\x02k\x02v\x02\x02h\x02x", 13));
}

TEST(batch_test, a_checksum_mismatch_is_reported_as_such) {
    batch_builder b;
    b.add(5, std::nullopt, std::string("payload"));
    auto batch = b.finish();
    batch[batch.size() - 3] ^= 0x10;
    EXPECT_EQ(check_batch(batch), batch_problem::crc_mismatch);
}

TEST(batch_test, short_and_zero_input_is_classified) {
    batch_builder b;
    b.add(5, std::nullopt, std::string("payload"));
    auto batch = b.finish();
    EXPECT_EQ(check_batch(batch.substr(0, 10)), batch_problem::truncated);
    EXPECT_EQ(check_batch(batch.substr(0, batch.size() - 1)), batch_problem::truncated);
    EXPECT_EQ(check_batch(std::string(100, '\0')), batch_problem::zero_filled);
    auto bad_magic = batch;
    bad_magic[batch_field::magic] = 9;
    EXPECT_EQ(check_batch(bad_magic), batch_problem::bad_magic);
}

TEST(batch_test, restamp_changes_offset_and_keeps_the_batch_valid) {
    batch_builder b;
    b.add(5, std::nullopt, std::string("payload"));
    auto batch = b.finish(0);
    restamp(batch, 1000, 9);
    EXPECT_EQ(check_batch(batch), batch_problem::none);
    EXPECT_EQ(decode_header(batch.data()).base_offset, 1000);
    EXPECT_EQ(decode_header(batch.data()).leader_epoch, 9);
}

// Seen with tests/fuzz/batch_fuzz (a crafted input): a CRC-valid batch based near the largest
// int64 made batch_records and the segment scanner overflow base_offset + i.
TEST(batch_test, a_base_offset_that_cannot_hold_the_records_is_a_bad_offset) {
    batch_builder b;
    b.add(5, std::nullopt, std::string("a"));
    b.add(6, std::nullopt, std::string("b"));
    auto batch = b.finish(0);
    for (offset_t bad : {std::numeric_limits<offset_t>::max(), std::numeric_limits<offset_t>::max() - 1, offset_t{-1},
                         std::numeric_limits<offset_t>::min()}) {
        restamp(batch, bad, 0);
        EXPECT_EQ(check_batch(batch), batch_problem::bad_offset) << bad;
    }
    restamp(batch, std::numeric_limits<offset_t>::max() - 2, 0);
    EXPECT_EQ(check_batch(batch), batch_problem::none);
    EXPECT_EQ(read_records(batch).size(), 2u);
}

// Seen with tests/fuzz/batch_fuzz under UBSan: a first timestamp near the smallest int64 and a large negative
// delta made batch_records overflow first_timestamp + delta. The sum wraps, as in Kafka's readers.
TEST(batch_test, a_timestamp_delta_past_the_int64_range_wraps_instead_of_overflowing) {
    batch_builder b;
    b.add(0, std::nullopt, std::string("a"));
    b.add(-36028797018963968, std::nullopt, std::string("b"));  // delta -2^55
    auto batch = b.finish(0);
    const timestamp_ms first = -9223370240273266561;  // what the fuzzer wrote
    util::store_be<std::int64_t>(batch.data() + batch_field::first_timestamp, first);
    batch_records records(batch);
    record_view r;
    ASSERT_TRUE(records.next(r));
    EXPECT_EQ(r.timestamp, first);
    ASSERT_TRUE(records.next(r));
    EXPECT_EQ(r.timestamp, static_cast<timestamp_ms>(static_cast<std::uint64_t>(first) -
                                                     (std::uint64_t{1} << 55)));
    EXPECT_GT(r.timestamp, 0);  // wrapped past the smallest int64
}

}  // namespace gafka::log
