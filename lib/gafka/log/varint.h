#pragma once
// Zigzag varints as Kafka's record format uses them (protobuf's sint32 and
// sint64 encoding): an int32 takes at most 5 bytes, an int64 at most 10.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gafka::log::varint {

inline constexpr std::size_t max_int32_bytes = 5;
inline constexpr std::size_t max_int64_bytes = 10;

inline std::size_t size(std::int64_t v) {
    auto u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    std::size_t n = 1;
    while (u >= 0x80) {
        u >>= 7;
        ++n;
    }
    return n;
}

inline void put(std::string& out, std::int64_t v) {
    auto u = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    while (u >= 0x80) {
        out.push_back(static_cast<char>((u & 0x7f) | 0x80));
        u >>= 7;
    }
    out.push_back(static_cast<char>(u));
}

// Reads one varint of at most `max_bytes` from `in` at `pos`, advancing it;
// nullopt when it runs past the end or is longer than allowed.
inline std::optional<std::int64_t> get(std::string_view in, std::size_t& pos, std::size_t max_bytes) {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < max_bytes && pos < in.size(); ++i) {
        auto b = static_cast<std::uint8_t>(in[pos++]);
        u |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
    return std::nullopt;
}

inline std::optional<std::int32_t> get32(std::string_view in, std::size_t& pos) {
    auto v = get(in, pos, max_int32_bytes);
    if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
    return static_cast<std::int32_t>(*v);
}

}  // namespace gafka::log::varint
