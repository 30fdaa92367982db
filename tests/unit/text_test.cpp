#include "gafka/util/text.h"

#include <gtest/gtest.h>

namespace gafka::util {

TEST(text_test, accepts_well_formed_utf8) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(text_test, rejects_malformed_utf8) {
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("a\x80z"));
}

TEST(text_test, base64_round_trips_every_length) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        auto enc = base64_encode(bytes);
        auto dec = base64_decode(enc);
        ASSERT_TRUE(dec.has_value()) << enc;
        EXPECT_EQ(*dec, bytes);
        bytes += static_cast<char>(i * 37 + 200);
    }
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(text_test, base64_decode_rejects_non_canonical_input) {
    EXPECT_FALSE(base64_decode("Zm8").has_value());
    EXPECT_FALSE(base64_decode("Zm!=").has_value());
    EXPECT_FALSE(base64_decode("Zm9=").has_value());  // non-zero bits under the padding
    EXPECT_FALSE(base64_decode("=Zm8").has_value());
    EXPECT_FALSE(base64_decode("Zm==Zm8=").has_value());
}

}  // namespace gafka::util

namespace gafka::util {
namespace {

TEST(utf8_fast_path_test, finds_bad_and_good_multibyte_sequences_at_every_position_around_the_8_byte_steps) {
    for (std::size_t at = 0; at < 24; ++at)
        for (std::size_t len : {at + 1, at + 2, at + 9, at + 17}) {
            std::string good(len, 'a'), bad(len, 'a');
            bad[at] = '\xff';
            EXPECT_FALSE(is_valid_utf8(bad)) << at << " " << len;
            if (at + 1 < len) {
                good[at] = '\xc3';
                good[at + 1] = '\xa9';
                EXPECT_TRUE(is_valid_utf8(good)) << at << " " << len;
                good[at + 1] = 'a';  // a lead byte without its continuation
                EXPECT_FALSE(is_valid_utf8(good)) << at << " " << len;
            }
        }
}

}  // namespace
}  // namespace gafka::util
