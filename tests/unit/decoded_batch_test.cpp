#include "gafka/log/decoded_batch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"

namespace gafka::log {
namespace {

constexpr codec real_codecs[] = {codec::gzip, codec::snappy, codec::lz4, codec::zstd};

std::string kcat_batch(codec c) {
    std::ifstream in(std::string(GAFKA_KAFKA_TEST_DATA) + "/kcat_batch_" + to_string(c) + ".bin", std::ios::binary);
    EXPECT_TRUE(in.good()) << to_string(c);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<record_view> walk(decoded_batch& b) {
    std::vector<record_view> out;
    record_view r;
    while (b.next(r)) out.push_back(r);
    return out;
}

std::vector<record> records_of(std::string_view batch) {
    decoded_batch b(batch);
    std::vector<record> out;
    for (const auto& r : walk(b)) out.push_back(r.to_record());
    EXPECT_TRUE(b.error().ok()) << b.error().to_string();
    EXPECT_TRUE(b.at_end());
    return out;
}

std::string plain_batch() {
    batch_builder b;
    std::vector<record_header> headers{{"trace", "abc"}};
    for (int i = 0; i < 50; ++i)
        b.add(1000 + i, "key-" + std::to_string(i % 3), "the same log line again, number " + std::to_string(i),
              i % 10 == 0 ? std::span<const record_header>(headers) : std::span<const record_header>());
    b.add(2000, std::nullopt, std::nullopt);
    return b.finish(100, 7, 42, 5, 1);
}

// Gives a batch whose bytes were changed after finish() its right CRC.
void fix_crc(std::string& batch) {
    util::store_be<std::uint32_t>(batch.data() + batch_field::crc,
                                  crc32c::value(batch.data() + crc_start, batch.size() - crc_start));
}

class decoded_batch_test : public ::testing::TestWithParam<codec> {};

TEST_P(decoded_batch_test, kcat_batch_decodes_to_the_records_kcat_sent) {
    auto batch = kcat_batch(GetParam());
    auto h = decode_header(batch.data());
    ASSERT_EQ(h.compression(), static_cast<int>(GetParam()));
    ASSERT_EQ(check_batch(batch), batch_problem::none);
    decoded_batch b(batch);
    auto records = walk(b);
    ASSERT_TRUE(b.error().ok()) << b.error().to_string();
    ASSERT_EQ(records.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        const auto& r = records[static_cast<std::size_t>(i)];
        EXPECT_EQ(r.offset, i);
        EXPECT_EQ(r.key, "k" + std::to_string(i + 1));
        EXPECT_EQ(r.value, "line " + std::to_string(i + 1) + ": the quick brown fox jumps over the lazy dog");
        ASSERT_EQ(r.headers.size(), 1u);
        EXPECT_EQ(r.headers[0].first, "source");
        EXPECT_EQ(r.headers[0].second, "kcat");
        EXPECT_GE(r.timestamp, h.first_timestamp);
        EXPECT_LE(r.timestamp, h.max_timestamp);
    }
    EXPECT_TRUE(b.at_end());
}

TEST_P(decoded_batch_test, compress_batch_keeps_every_header_field_and_record) {
    auto plain = plain_batch();
    auto packed = compress_batch(plain, GetParam());
    ASSERT_TRUE(packed.ok()) << packed.error().to_string();
    ASSERT_EQ(check_batch(*packed), batch_problem::none);
    auto a = decode_header(plain.data()), b = decode_header(packed->data());
    EXPECT_EQ(b.compression(), static_cast<int>(GetParam()));
    EXPECT_LT(b.length, a.length);
    EXPECT_EQ(b.length, packed->size());
    EXPECT_EQ(std::tuple(b.base_offset, b.leader_epoch, b.last_offset_delta, b.first_timestamp, b.max_timestamp,
                         b.producer_id, b.producer_epoch, b.base_sequence, b.record_count),
              std::tuple(a.base_offset, a.leader_epoch, a.last_offset_delta, a.first_timestamp, a.max_timestamp,
                         a.producer_id, a.producer_epoch, a.base_sequence, a.record_count));
    EXPECT_EQ(records_of(*packed), records_of(plain));
    // And back: uncompressed again, byte for byte the batch it came from.
    auto unpacked = compress_batch(*packed, codec::none);
    ASSERT_TRUE(unpacked.ok());
    EXPECT_EQ(*unpacked, plain);
}

TEST_P(decoded_batch_test, kcat_batch_recompressed_with_another_codec_keeps_its_records) {
    auto batch = kcat_batch(GetParam());
    for (auto c : real_codecs) {
        auto other = compress_batch(batch, c);
        ASSERT_TRUE(other.ok()) << to_string(c);
        EXPECT_EQ(check_batch(*other), batch_problem::none);
        EXPECT_EQ(records_of(*other), records_of(batch)) << to_string(GetParam()) << " -> " << to_string(c);
    }
}

TEST_P(decoded_batch_test, check_batch_finds_a_record_count_the_records_do_not_match) {
    auto packed = compress_batch(plain_batch(), GetParam()).value();
    auto count = decode_header(packed.data()).record_count;
    util::store_be<std::int32_t>(packed.data() + batch_field::record_count, count + 1);
    util::store_be<std::int32_t>(packed.data() + batch_field::last_offset_delta, count);
    fix_crc(packed);
    EXPECT_EQ(check_batch(packed), batch_problem::bad_records);
    EXPECT_EQ(check_batch_no_decompress(packed), batch_problem::none);  // reads trust the CRC
}

TEST_P(decoded_batch_test, check_batch_finds_compressed_bytes_that_do_not_decompress) {
    auto packed = compress_batch(plain_batch(), GetParam()).value();
    for (std::size_t i = batch_header_size; i < packed.size(); i += 5) packed[i] = static_cast<char>(packed[i] ^ 0x5a);
    fix_crc(packed);
    auto p = check_batch(packed);
    EXPECT_TRUE(p == batch_problem::bad_compression || p == batch_problem::bad_records) << to_string(p);
    decoded_batch b(packed);
    record_view r;
    while (b.next(r)) {
    }
    EXPECT_TRUE(!b.error().ok() || !b.at_end());
}

TEST_P(decoded_batch_test, a_batch_that_decompresses_past_the_limit_yields_no_records) {
    auto packed = compress_batch(plain_batch(), GetParam()).value();
    decoded_batch b(packed, 100);
    record_view r;
    EXPECT_FALSE(b.next(r));
    EXPECT_EQ(b.error().code(), status_code::too_large);
}

INSTANTIATE_TEST_SUITE_P(codecs, decoded_batch_test, ::testing::ValuesIn(real_codecs),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST(decoded_batch_plain_test, walks_an_uncompressed_batch_in_place) {
    auto plain = plain_batch();
    decoded_batch b(plain);
    record_view r;
    ASSERT_TRUE(b.next(r));
    // The view points into the batch itself: nothing was copied.
    EXPECT_GE(r.value->data(), plain.data());
    EXPECT_LT(r.value->data(), plain.data() + plain.size());
    EXPECT_EQ(records_of(plain).size(), 51u);
}

TEST(decoded_batch_plain_test, batch_records_alone_still_refuses_a_compressed_batch) {
    auto packed = compress_batch(plain_batch(), codec::gzip).value();
    batch_records records(packed);
    record_view r;
    EXPECT_FALSE(records.next(r));
}

}  // namespace
}  // namespace gafka::log
