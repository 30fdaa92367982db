#include "gafka/util/murmur2.h"

#include <cstring>

namespace gafka::util {

std::int32_t murmur2(std::string_view data) {
    const std::uint32_t seed = 0x9747b28c, m = 0x5bd1e995;
    const int r = 24;
    auto length = static_cast<std::uint32_t>(data.size());
    std::uint32_t h = seed ^ length;
    auto p = reinterpret_cast<const unsigned char*>(data.data());
    std::uint32_t n4 = length / 4;
    for (std::uint32_t i = 0; i < n4; ++i) {
        std::uint32_t k = p[i * 4] | (p[i * 4 + 1] << 8) | (p[i * 4 + 2] << 16) | (static_cast<std::uint32_t>(p[i * 4 + 3]) << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    auto tail = p + n4 * 4;
    switch (length % 4) {
        case 3: h ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
        case 2: h ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
        case 1:
            h ^= tail[0];
            h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    std::int32_t out;
    std::memcpy(&out, &h, sizeof out);
    return out;
}

}  // namespace gafka::util
