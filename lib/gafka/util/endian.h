#pragma once
// Big-endian loads and stores of fixed-size integers (Kafka's byte order),
// for x86_64 and aarch64 hosts, which are little-endian.
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace gafka::util {

template <typename T>
T load_be(const char* p) {
    static_assert(std::is_integral_v<T>);
    std::make_unsigned_t<T> u;
    std::memcpy(&u, p, sizeof u);
    if constexpr (sizeof u == 8) u = __builtin_bswap64(u);
    else if constexpr (sizeof u == 4) u = __builtin_bswap32(u);
    else if constexpr (sizeof u == 2) u = __builtin_bswap16(u);
    return static_cast<T>(u);
}

template <typename T>
void store_be(char* p, T v) {
    static_assert(std::is_integral_v<T>);
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    if constexpr (sizeof u == 8) u = __builtin_bswap64(u);
    else if constexpr (sizeof u == 4) u = __builtin_bswap32(u);
    else if constexpr (sizeof u == 2) u = __builtin_bswap16(u);
    std::memcpy(p, &u, sizeof u);
}

}  // namespace gafka::util
