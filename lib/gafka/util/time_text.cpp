#include "gafka/util/time_text.h"

#include <charconv>
#include <optional>

#include "gafka/util/duration.h"

namespace gafka::util {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

// Reads exactly `n` digits at `pos` into `out`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<unsigned>(c - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, std::string_view chars) {
    if (pos >= s.size() || chars.find(s[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
    std::size_t pos = 0;
    unsigned year, month, day, hour, minute, second;
    if (!digits(s, pos, 4, year) || !expect(s, pos, "-") || !digits(s, pos, 2, month) || !expect(s, pos, "-") ||
        !digits(s, pos, 2, day) || !expect(s, pos, "Tt ") || !digits(s, pos, 2, hour) || !expect(s, pos, ":") ||
        !digits(s, pos, 2, minute) || !expect(s, pos, ":") || !digits(s, pos, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
        second > 60)
        return std::nullopt;
    std::int64_t millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t first = pos;
        for (std::int64_t scale = 100; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10)
            millis += (s[pos] - '0') * scale;  // digits past milliseconds add 0
        if (pos == first) return std::nullopt;
    }
    std::int64_t offset_minutes = 0;
    if (expect(s, pos, "Zz")) {
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos++] == '-' ? -1 : 1;
        unsigned oh, om;
        if (!digits(s, pos, 2, oh) || !expect(s, pos, ":") || !digits(s, pos, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset_minutes = sign * static_cast<std::int64_t>(oh * 60 + om);
    } else {
        return std::nullopt;  // RFC 3339 requires the offset
    }
    if (pos != s.size()) return std::nullopt;
    if (second == 60) second = 59;  // a leap second: the moment before the next minute
    std::int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return (secs - offset_minutes * 60) * 1000 + millis;
}

}  // namespace

result<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms) {
    auto bad = [&] {
        return status::invalid_argument("invalid time '" + std::string(text) +
                                        "' (expected RFC 3339 such as 2026-11-23T10:00:00Z, a relative time "
                                        "such as -1h or -7d, now, or milliseconds since the epoch)");
    };
    if (text == "now") return now_ms;
    if (!text.empty() && text[0] == '-') {
        auto ago = text.substr(1);
        if (ago.size() > 1 && ago.back() == 'd') {  // days, which durations (timeouts) do not take
            std::int64_t days = 0;
            auto [p, ec] = std::from_chars(ago.data(), ago.data() + ago.size() - 1, days);
            if (ago.front() < '0' || ago.front() > '9' || ec != std::errc() || p != ago.data() + ago.size() - 1 ||
                days > 100'000)
                return bad();
            return now_ms - days * 86'400'000;
        }
        auto d = parse_duration(ago);
        if (!d.ok() || ago.empty()) return bad();
        return now_ms - d->count();
    }
    if (text.find_first_not_of("0123456789") == std::string_view::npos && !text.empty()) {
        std::int64_t ms = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        if (ec != std::errc() || p != text.data() + text.size()) return bad();
        return ms;
    }
    if (auto t = parse_rfc3339(text)) return *t;
    return bad();
}

}  // namespace gafka::util
