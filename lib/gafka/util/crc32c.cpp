#include "gafka/util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace gafka::crc32c {
namespace {

constexpr std::uint32_t polynomial = 0x82F63B78u;

using table = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr table make_tables() {
    table t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ polynomial : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t s = 1; s < 8; ++s)
        for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    return t;
}

constexpr table tables = make_tables();

std::uint64_t load_le64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // little-endian host assumed (x86_64, aarch64)
    return v;
}

}  // namespace

std::uint32_t extend_portable(std::uint32_t crc, const void* data, std::size_t n) {
    auto p = static_cast<const unsigned char*>(data);
    std::uint32_t c = ~crc;
    while (n >= 8) {
        std::uint64_t v = load_le64(p) ^ c;
        c = tables[7][v & 0xFF] ^ tables[6][(v >> 8) & 0xFF] ^ tables[5][(v >> 16) & 0xFF] ^
            tables[4][(v >> 24) & 0xFF] ^ tables[3][(v >> 32) & 0xFF] ^ tables[2][(v >> 40) & 0xFF] ^
            tables[1][(v >> 48) & 0xFF] ^ tables[0][v >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = tables[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t extend_hardware(std::uint32_t crc, const void* data,
                                                                 std::size_t n) {
    auto p = static_cast<const unsigned char*>(data);
    std::uint64_t c = ~crc;
    while (n >= 8) {
        c = _mm_crc32_u64(c, load_le64(p));
        p += 8;
        n -= 8;
    }
    auto c32 = static_cast<std::uint32_t>(c);
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}

bool hardware_available() {
    static const bool available = __builtin_cpu_supports("sse4.2");
    return available;
}
#else
std::uint32_t extend_hardware(std::uint32_t crc, const void* data, std::size_t n) {
    return extend_portable(crc, data, n);
}
bool hardware_available() { return false; }
#endif

std::uint32_t extend(std::uint32_t crc, const void* data, std::size_t n) {
    return hardware_available() ? extend_hardware(crc, data, n) : extend_portable(crc, data, n);
}

}  // namespace gafka::crc32c
