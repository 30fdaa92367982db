#pragma once
// The scan both the JSON string writer and reader of gafka spend their time
// in: the first byte from `i` on that is a control character, '"' or '\\'
// (the bytes a JSON string cannot hold as they are), sixteen bytes a step
// with SSE2, then eight (SWAR: a byte of the word is below 0x20, or equal to
// either, when its high bit survives).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gafka::json {

// An index from `i` on with no such byte before it: that byte's own, or the
// start of the 8-byte word that holds it, or where the last whole word ends.
// The caller checks the bytes from there one by one.
inline std::size_t plain_prefix(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), below = _mm_set1_epi8(0x1F);
    for (; i + 16 <= s.size(); i += 16) {
        __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(w, below), below);  // w <= 0x1F, unsigned
        __m128i special = _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)));
        if (int mask = _mm_movemask_epi8(special)) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (((w - ones * 0x20) & ~w & highs) | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\'))) break;
    }
    return i;
}

// The first index from `i` on of a control character, '"' or '\\'; s.size() when none.
inline std::size_t plain_run_end(std::string_view s, std::size_t i) {
    for (i = plain_prefix(s, i); i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == '"' || c == '\\') break;
    }
    return i;
}

}  // namespace gafka::json
