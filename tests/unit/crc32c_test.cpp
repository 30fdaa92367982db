#include "gafka/util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

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

TEST(crc32c_test, extend_continues_a_crc) {
    std::string a = "hello ", b = "world";
    EXPECT_EQ(crc32c::extend(crc32c::value(a), b.data(), b.size()), crc32c::value(a + b));
}

}  // namespace gafka
