#pragma once
// Kafka's murmur2 (the Java client's Utils.murmur2, seed 0x9747b28c), so a
// key lands on the same partition in gafka as in a Kafka client.
#include <cstdint>
#include <string_view>

namespace gafka::util {

std::int32_t murmur2(std::string_view data);
// Kafka's Utils.toPositive: clears the sign bit.
inline std::int32_t to_positive(std::int32_t v) { return v & 0x7fffffff; }

}  // namespace gafka::util
