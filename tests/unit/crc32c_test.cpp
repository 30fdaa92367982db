#include "gafka/util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gafka {

TEST(crc32c_test, matches_the_standard_check_values) {
    EXPECT_EQ(crc32c::value("123456789"), 0xE3069283u);
    EXPECT_EQ(crc32c::value(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
    EXPECT_EQ(crc32c::value(std::string(32, '\xff')), 0x62A8AB43u);
    EXPECT_EQ(crc32c::value(""), 0u);
}

TEST(crc32c_test, hardware_and_portable_agree_on_every_length_and_alignment) {
    std::mt19937 rng(7);
    std::string data(4096 + 16, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    for (std::size_t start = 0; start < 8; ++start)
        for (std::size_t n = 0; n < 300; ++n)
            ASSERT_EQ(crc32c::extend_hardware(0, data.data() + start, n),
                      crc32c::extend_portable(0, data.data() + start, n));
    EXPECT_EQ(crc32c::extend_hardware(0, data.data(), data.size()), crc32c::extend_portable(0, data.data(), data.size()));
}

// The hardware path joins three streams over 3 x 8 KiB, then 3 x 256 bytes:
// every length around those steps, from a CRC carried in, agrees with the
// portable one byte at a time.
TEST(crc32c_test, hardware_three_streams_agree_with_portable_around_every_block_size) {
    std::mt19937 rng(11);
    std::string data(4 * 3 * 8192 + 64, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::vector<std::size_t> lengths;
    for (std::size_t base : {std::size_t{768}, std::size_t{1536}, std::size_t{24576}, std::size_t{2 * 24576 + 768}})
        for (std::size_t d = 0; d < 20; ++d) lengths.insert(lengths.end(), {base - 10 + d});
    for (int i = 0; i < 200; ++i) lengths.push_back(rng() % (data.size() - 8));
    for (auto n : lengths)
        for (std::size_t start : {0, 1, 5}) {
            auto seed = static_cast<std::uint32_t>(rng());
            ASSERT_EQ(crc32c::extend_hardware(seed, data.data() + start, n),
                      crc32c::extend_portable(seed, data.data() + start, n))
                << "length " << n << " from " << start;
        }
}

TEST(crc32c_test, extend_continues_a_crc) {
    std::string a = "hello ", b = "world";
    EXPECT_EQ(crc32c::extend(crc32c::value(a), b.data(), b.size()), crc32c::value(a + b));
}

}  // namespace gafka
