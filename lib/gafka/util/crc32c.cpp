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
namespace {

// The crc32 instruction takes 3 cycles and can start one a cycle, so the
// hardware path runs three streams over three adjacent blocks of a buffer
// and joins them: the register after block a then b is the register after
// a, carried over |b| zero bytes, xor the register of b alone (the CRC is
// linear). `shift` is that carrying over a block's length of zeros, as four
// tables by byte of the register (as Mark Adler's crc32c.c does).
class zeros_shift {
public:
    explicit zeros_shift(std::size_t bytes) {
        std::array<std::uint32_t, 32> bit{};  // the shift of each single-bit register
        for (std::size_t i = 0; i < 32; ++i) {
            std::uint32_t c = 1u << i;
            for (std::size_t k = 0; k < bytes; ++k) c = tables[0][c & 0xFF] ^ (c >> 8);
            bit[i] = c;
        }
        for (std::size_t byte = 0; byte < 4; ++byte)
            for (std::uint32_t v = 0; v < 256; ++v) {
                std::uint32_t c = 0;
                for (std::size_t j = 0; j < 8; ++j)
                    if (v & (1u << j)) c ^= bit[byte * 8 + j];
                by_byte_[byte][v] = c;
            }
    }
    std::uint32_t operator()(std::uint32_t c) const {
        return by_byte_[0][c & 0xFF] ^ by_byte_[1][(c >> 8) & 0xFF] ^ by_byte_[2][(c >> 16) & 0xFF] ^
               by_byte_[3][c >> 24];
    }

private:
    std::array<std::array<std::uint32_t, 256>, 4> by_byte_{};
};

constexpr std::size_t long_block = 8192;  // three streams over 24 KiB at a time
constexpr std::size_t short_block = 256;  // then over 768 bytes at a time

// Runs three streams over the next 3 * block bytes at p; returns the joined register.
__attribute__((target("sse4.2"))) std::uint64_t three_streams(std::uint64_t c, const unsigned char* p,
                                                              std::size_t block, const zeros_shift& shift) {
    std::uint64_t c1 = 0, c2 = 0;
    for (const auto* end = p + block; p < end; p += 8) {
        c = _mm_crc32_u64(c, load_le64(p));
        c1 = _mm_crc32_u64(c1, load_le64(p + block));
        c2 = _mm_crc32_u64(c2, load_le64(p + 2 * block));
    }
    c = shift(static_cast<std::uint32_t>(c)) ^ c1;
    return shift(static_cast<std::uint32_t>(c)) ^ c2;
}

}  // namespace

__attribute__((target("sse4.2"))) std::uint32_t extend_hardware(std::uint32_t crc, const void* data,
                                                                 std::size_t n) {
    static const zeros_shift long_shift(long_block), short_shift(short_block);
    auto p = static_cast<const unsigned char*>(data);
    std::uint64_t c = ~crc;
    for (; n >= 3 * long_block; p += 3 * long_block, n -= 3 * long_block) c = three_streams(c, p, long_block, long_shift);
    for (; n >= 3 * short_block; p += 3 * short_block, n -= 3 * short_block)
        c = three_streams(c, p, short_block, short_shift);
    for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, load_le64(p));
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
