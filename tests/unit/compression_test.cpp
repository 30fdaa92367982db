#include "gafka/log/compression.h"

#include <gtest/gtest.h>

#include <snappy.h>

#include <string>

#include "gafka/util/endian.h"

namespace gafka::log {
namespace {

constexpr codec all_codecs[] = {codec::none, codec::gzip, codec::snappy, codec::lz4, codec::zstd};
constexpr codec real_codecs[] = {codec::gzip, codec::snappy, codec::lz4, codec::zstd};

std::string repetitive(std::size_t n) {
    std::string s;
    while (s.size() < n) s += "2024-05-01T12:00:00Z INFO request served path=/api/v1/produce status=200\n";
    s.resize(n);
    return s;
}

std::string compressed(codec c, std::string_view in) {
    std::string out;
    EXPECT_TRUE(compress(c, in, out).ok());
    return out;
}

class compression_test : public ::testing::TestWithParam<codec> {};

TEST_P(compression_test, round_trips_empty_small_and_multi_block_inputs) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{200'000}}) {
        auto in = repetitive(n);
        std::string out = "prefix";
        ASSERT_TRUE(decompress(GetParam(), compressed(GetParam(), in), out).ok()) << n;
        EXPECT_EQ(out, "prefix" + in) << n;
    }
}

TEST_P(compression_test, refuses_output_past_the_limit_and_leaves_out_as_it_was) {
    auto bomb = compressed(GetParam(), std::string(1 << 20, 'a'));
    std::string out = "kept";
    auto s = decompress(GetParam(), bomb, out, (1 << 20) - 1);
    EXPECT_EQ(s.code(), status_code::too_large) << s.to_string();
    EXPECT_EQ(out, "kept");
    EXPECT_TRUE(decompress(GetParam(), bomb, out, 1 << 20).ok());
    EXPECT_EQ(out.size(), 4u + (1 << 20));
}

INSTANTIATE_TEST_SUITE_P(codecs, compression_test, ::testing::ValuesIn(all_codecs),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST(compression_damage_test, every_truncation_and_garbage_is_corruption) {
    for (auto c : real_codecs) {
        auto good = compressed(c, repetitive(5000));
        for (std::size_t n = 0; n < good.size(); n += 7) {
            std::string out;
            auto s = decompress(c, std::string_view(good).substr(0, n), out);
            EXPECT_EQ(s.code(), status_code::corruption) << to_string(c) << " cut at " << n;
            EXPECT_TRUE(out.empty());
        }
        std::string out;
        EXPECT_EQ(decompress(c, "not compressed at all, just text", out).code(), status_code::corruption)
            << to_string(c);
    }
}

TEST(compression_names_test, codec_names_and_topic_compression_types_parse_back) {
    EXPECT_STREQ(to_string(codec::snappy), "snappy");
    for (auto name : {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"}) {
        auto t = parse_compression_type(name);
        ASSERT_TRUE(t) << name;
        EXPECT_STREQ(to_string(*t), name);
    }
    EXPECT_FALSE(parse_compression_type("none"));  // Kafka's topic setting says "uncompressed"
    EXPECT_FALSE(parse_compression_type("GZIP"));
    EXPECT_FALSE(stored_codec(compression_type::producer));
    EXPECT_EQ(stored_codec(compression_type::uncompressed), codec::none);
    EXPECT_EQ(stored_codec(compression_type::zstd), codec::zstd);
}

TEST(snappy_test, writes_xerial_framing_as_the_java_client_does) {
    auto c = compressed(codec::snappy, repetitive(100'000));
    ASSERT_GE(c.size(), 20u);
    EXPECT_EQ(c.substr(0, 8), std::string("\x82SNAPPY\0", 8));
    EXPECT_EQ(util::load_be<std::int32_t>(c.data() + 8), 1);   // version
    EXPECT_EQ(util::load_be<std::int32_t>(c.data() + 12), 1);  // compatible version
    // Blocks of at most 32 KiB of input each: four for 100 000 bytes.
    std::size_t pos = 16, blocks = 0;
    while (pos < c.size()) {
        auto len = util::load_be<std::uint32_t>(c.data() + pos);
        std::size_t n = 0;
        ASSERT_TRUE(snappy::GetUncompressedLength(c.data() + pos + 4, len, &n));
        EXPECT_LE(n, 32u << 10);
        pos += 4 + len;
        ++blocks;
    }
    EXPECT_EQ(pos, c.size());
    EXPECT_EQ(blocks, 4u);
}

TEST(snappy_test, reads_raw_snappy_as_librdkafka_writes_it) {
    auto in = repetitive(70'000);
    std::string raw, out;
    snappy::Compress(in.data(), in.size(), &raw);
    ASSERT_TRUE(decompress(codec::snappy, raw, out).ok());
    EXPECT_EQ(out, in);
}

TEST(snappy_test, a_raw_block_claiming_more_than_the_limit_is_refused_before_allocating) {
    // A varint length of 2^31 and nothing behind it.
    std::string claim = "\x80\x80\x80\x80\x08";
    std::string out;
    EXPECT_EQ(decompress(codec::snappy, claim, out, 1 << 20).code(), status_code::too_large);
}

TEST(lz4_test, writes_independent_64k_blocks_without_checksums) {
    auto c = compressed(codec::lz4, repetitive(1000));
    ASSERT_GE(c.size(), 7u);
    EXPECT_EQ(util::load_be<std::uint32_t>(c.data()), 0x04224D18u);  // magic, little-endian on the wire
    EXPECT_EQ(static_cast<unsigned char>(c[4]), 0x60);  // version 01, block independence, no checksums or size
    EXPECT_EQ(static_cast<unsigned char>(c[5]), 0x40);  // 64 KiB blocks
}

TEST(lz4_test, a_frame_with_a_bad_header_checksum_is_corruption) {
    auto c = compressed(codec::lz4, repetitive(1000));
    c[6] = static_cast<char>(c[6] ^ 0x01);  // header checksum byte
    std::string out;
    EXPECT_EQ(decompress(codec::lz4, c, out).code(), status_code::corruption);
}

TEST(gzip_test, reads_concatenated_members) {
    auto a = repetitive(3000), b = std::string("second member");
    std::string out;
    ASSERT_TRUE(decompress(codec::gzip, compressed(codec::gzip, a) + compressed(codec::gzip, b), out).ok());
    EXPECT_EQ(out, a + b);
}

TEST(zstd_test, refuses_a_frame_that_asks_for_a_window_past_the_limit) {
    // Frame header: magic, descriptor 0 (window descriptor follows), window
    // descriptor 0x78 = exponent 15 -> 2^25 bytes, more than 2^zstd_max_window_log.
    std::string frame("\x28\xb5\x2f\xfd\x00\x78", 6);
    frame += std::string("\x01\x00\x00", 3);  // a last raw block of 0 bytes
    std::string out;
    EXPECT_EQ(decompress(codec::zstd, frame, out).code(), status_code::corruption);
}

TEST(compression_ratio_test, every_codec_shrinks_repetitive_log_lines) {
    auto in = repetitive(100'000);
    for (auto c : real_codecs) EXPECT_LT(compressed(c, in).size(), in.size() / 4) << to_string(c);
}

}  // namespace
}  // namespace gafka::log
