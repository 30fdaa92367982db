#include "gafka/util/time_text.h"

#include <gtest/gtest.h>

namespace gafka::util {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

std::int64_t parsed(const char* text) {
    auto r = parse_time(text, now);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error().to_string();
    return r.ok() ? *r : -1;
}

TEST(time_text_test, reads_rfc3339_in_utc_and_with_offsets) {
    EXPECT_EQ(parsed("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parsed("2026-11-23T10:00:00Z"), 1'795'428'000'000);
    EXPECT_EQ(parsed("2026-11-23T11:00:00+01:00"), 1'795'428'000'000);
    EXPECT_EQ(parsed("2026-11-23T09:30:00-00:30"), 1'795'428'000'000);
    EXPECT_EQ(parsed("2026-11-23t10:00:00.25z"), 1'795'428'000'250);
    EXPECT_EQ(parsed("2026-11-23 10:00:00.123456Z"), 1'795'428'000'123);
    EXPECT_EQ(parsed("2024-02-29T00:00:00Z"), 1'709'164'800'000);
    EXPECT_EQ(parsed("1969-12-31T23:59:59Z"), -1000);
}

TEST(time_text_test, reads_relative_times_now_and_epoch_milliseconds) {
    EXPECT_EQ(parsed("-1h"), now - 3'600'000);
    EXPECT_EQ(parsed("-30m"), now - 1'800'000);
    EXPECT_EQ(parsed("-7d"), now - 7 * 86'400'000LL);
    EXPECT_EQ(parsed("-500ms"), now - 500);
    EXPECT_EQ(parsed("now"), now);
    EXPECT_EQ(parsed("1763892000000"), 1'763'892'000'000);
}

TEST(time_text_test, refuses_what_is_not_a_time) {
    for (const char* bad : {"", "-", "-1y", "--1h", "yesterday", "2026-11-23", "2026-11-23T10:00:00",
                            "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-23T24:00:00Z",
                            "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+1:00", "2026-11-23T10:00:00Zjunk",
                            "99999999999999999999999"}) {
        auto r = parse_time(bad, now);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_NE(r.error().message().find("invalid time"), std::string::npos);
        }
    }
}

// Found by tests/fuzz/duration_fuzz: "--Nd" read -N days, a time in the
// future, and a large N overflowed the multiplication (UB).
TEST(time_text_test, refuses_negative_days) {
    for (const char* bad : {"--5d", "--0d", "--9223372036854775808d", "--99999999999999d"})
        EXPECT_FALSE(parse_time(bad, now).ok()) << bad;
}

}  // namespace
}  // namespace gafka::util
