#pragma once
// Producer ids for idempotent producers, the same for both protocols (HTTP's
// POST /api/v1/producers, Kafka's InitProducerId). Random, so ids handed out
// by brokers that replaced each other never meet without any state to keep;
// below 2^53 so that any JSON reader (jq included) keeps them exact.
// Thread-safe (one generator per thread).
#include <cstdint>

namespace gafka::broker {

using producer_id_t = std::int64_t;

inline constexpr producer_id_t producer_id_limit = producer_id_t{1} << 53;

// A fresh producer id in [0, producer_id_limit).
producer_id_t new_producer_id();

}  // namespace gafka::broker
