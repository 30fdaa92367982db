// The Kafka primitives (kafka/wire.h) at their edges: varint limits, zigzag
// signs, null against empty in classic and compact forms, and lengths that
// run past the end failing before anything is allocated.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "gafka/kafka/wire.h"

namespace gafka::kafka {
namespace {

using namespace std::literals;

class kafka_wire_test : public ::testing::Test {
protected:
    std::string buf;
    writer out{buf};
};

TEST_F(kafka_wire_test, big_endian_integers_round_trip_at_their_limits) {
    out.i8(-128);
    out.i16(std::numeric_limits<std::int16_t>::min());
    out.i32(std::numeric_limits<std::int32_t>::max());
    out.i64(std::numeric_limits<std::int64_t>::min());
    out.u32(0xfffffffeu);
    out.f64(-0.5);
    EXPECT_EQ(buf.substr(0, 7), "\x80\x80\x00\x7f\xff\xff\xff"s);
    reader in(buf);
    EXPECT_EQ(in.i8(), -128);
    EXPECT_EQ(in.i16(), std::numeric_limits<std::int16_t>::min());
    EXPECT_EQ(in.i32(), std::numeric_limits<std::int32_t>::max());
    EXPECT_EQ(in.i64(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(in.u32(), 0xfffffffeu);
    EXPECT_EQ(in.f64(), -0.5);
    EXPECT_TRUE(in.ok());
    EXPECT_EQ(in.remaining(), 0u);
}

TEST_F(kafka_wire_test, unsigned_varint_max_takes_five_bytes) {
    out.uvarint(0xffffffffu);
    EXPECT_EQ(buf, "\xff\xff\xff\xff\x0f"s);
    reader in(buf);
    EXPECT_EQ(in.uvarint(), 0xffffffffu);
    EXPECT_TRUE(in.ok());
}

TEST_F(kafka_wire_test, varint_with_a_sixth_byte_is_malformed) {
    reader in("\xff\xff\xff\xff\xff\x01"sv);
    EXPECT_EQ(in.uvarint(), 0u);
    EXPECT_FALSE(in.ok());
    EXPECT_NE(in.error().message().find("varint"), std::string::npos);
}

TEST_F(kafka_wire_test, zigzag_encodes_small_negatives_small) {
    out.varint(-1);
    out.varint(1);
    out.varint(std::numeric_limits<std::int32_t>::min());
    out.varlong(-2);
    out.varlong(std::numeric_limits<std::int64_t>::min());
    out.varlong(std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(buf.substr(0, 2), "\x01\x02"s);
    reader in(buf);
    EXPECT_EQ(in.varint(), -1);
    EXPECT_EQ(in.varint(), 1);
    EXPECT_EQ(in.varint(), std::numeric_limits<std::int32_t>::min());
    EXPECT_EQ(in.varlong(), -2);
    EXPECT_EQ(in.varlong(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(in.varlong(), std::numeric_limits<std::int64_t>::max());
    EXPECT_TRUE(in.ok());
    EXPECT_EQ(in.remaining(), 0u);
}

TEST_F(kafka_wire_test, null_and_empty_strings_differ_in_both_forms) {
    out.string(std::nullopt, false);
    out.string(""s, false);
    out.string(std::nullopt, true);
    out.string(""s, true);
    out.string("ab"s, true);
    EXPECT_EQ(buf, "\xff\xff\x00\x00\x00\x01\x03" "ab"s);
    reader in(buf);
    EXPECT_EQ(in.string(false, true), std::nullopt);
    EXPECT_EQ(in.string(false, true), std::optional<std::string_view>(""));
    EXPECT_EQ(in.string(true, true), std::nullopt);
    EXPECT_EQ(in.string(true, true), std::optional<std::string_view>(""));
    EXPECT_EQ(in.string(true, false), std::optional<std::string_view>("ab"));
    EXPECT_TRUE(in.ok());
}

TEST_F(kafka_wire_test, compact_null_in_a_non_nullable_string_is_malformed) {
    reader in("\x00"sv);
    EXPECT_EQ(in.string(true, false), std::nullopt);
    EXPECT_FALSE(in.ok());
}

TEST_F(kafka_wire_test, null_bytes_and_arrays_are_minus_one_or_compact_zero) {
    out.bytes(std::nullopt, false);
    out.array_length(std::nullopt, false);
    out.array_length(std::nullopt, true);
    out.array_length(0, true);
    EXPECT_EQ(buf, "\xff\xff\xff\xff\xff\xff\xff\xff\x00\x01"s);
    reader in(buf);
    EXPECT_EQ(in.bytes(false, true), std::nullopt);
    EXPECT_EQ(in.array_length(false, true, 1), std::nullopt);
    EXPECT_EQ(in.array_length(true, true, 1), std::nullopt);
    EXPECT_EQ(in.array_length(true, true, 1), std::optional<std::size_t>(0));
    EXPECT_TRUE(in.ok());
}

TEST_F(kafka_wire_test, lengths_below_minus_one_are_malformed) {
    reader in("\xff\xfe"sv);
    (void)in.string(false, true);
    EXPECT_FALSE(in.ok());
}

TEST_F(kafka_wire_test, a_length_past_the_end_fails_before_any_allocation) {
    // 2^31-1 bytes announced, three present: a reader that trusted it would
    // allocate 2 GiB.
    reader bytes_in("\x7f\xff\xff\xff" "abc"sv);
    EXPECT_EQ(bytes_in.bytes(false, true), std::nullopt);
    EXPECT_FALSE(bytes_in.ok());
    EXPECT_NE(bytes_in.error().message().find("exceeds the bytes left"), std::string::npos);

    // An array count checked against its elements' least size: 2 int32s
    // cannot fit in 7 bytes.
    reader array_in("\x00\x00\x00\x02" "abc"sv);
    EXPECT_EQ(array_in.array_length(false, false, 4), std::nullopt);
    EXPECT_FALSE(array_in.ok());

    reader compact_in("\xff\xff\xff\xff\x0f"sv);  // compact length 2^32-2
    EXPECT_EQ(compact_in.string(true, true), std::nullopt);
    EXPECT_FALSE(compact_in.ok());
}

TEST_F(kafka_wire_test, a_failed_reader_stays_failed_and_keeps_the_first_reason) {
    reader in("\x01\x02\x03"sv);
    EXPECT_EQ(in.i16(), 0x0102);
    EXPECT_EQ(in.i32(), 0);
    EXPECT_EQ(in.i8(), 0);  // the third byte is not read after the failure
    EXPECT_FALSE(in.ok());
    EXPECT_EQ(in.error().code(), status_code::corruption);
    EXPECT_EQ(in.error().message(), "truncated at byte 2");
}

TEST_F(kafka_wire_test, uuid_round_trips_byte_for_byte) {
    uuid_bytes u{};
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(0xf0 + i);
    out.uuid(u);
    reader in(buf);
    EXPECT_EQ(in.uuid(), u);
    EXPECT_TRUE(in.ok());
}

TEST_F(kafka_wire_test, patch_i32_overwrites_a_size_prefix_in_place) {
    out.i32(0);
    out.raw("xyz");
    out.patch_i32(0, 3);
    EXPECT_EQ(buf, "\x00\x00\x00\x03xyz"s);
    EXPECT_EQ(uvarint_size(127), 1u);
    EXPECT_EQ(uvarint_size(128), 2u);
    EXPECT_EQ(uvarint_size(0xffffffffu), 5u);
}

}  // namespace
}  // namespace gafka::kafka
