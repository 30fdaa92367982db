#include "gafka/util/duration.h"

#include <charconv>
#include <string>

namespace gafka::util {

result<std::chrono::milliseconds> parse_duration(std::string_view text) {
    auto bad = [&] {
        return status::invalid_argument("invalid duration '" + std::string(text) +
                                        "' (expected e.g. 500ms, 30s, 1m, 2h)");
    };
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || n < 0 || p == text.data()) return bad();
    std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
    std::int64_t scale;
    if (unit.empty() || unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return bad();
    if (n > INT64_MAX / scale / 1000) return bad();
    return std::chrono::milliseconds(n * scale);
}

}  // namespace gafka::util
