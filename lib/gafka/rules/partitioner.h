#pragma once
// Where a record goes: its explicit partition, else murmur2(key) % n as
// Kafka's default partitioner does, else round-robin by the caller.
#include <cstdint>
#include <string_view>

namespace gafka::rules {

using partition_id = std::int32_t;

partition_id partition_for_key(std::string_view key, std::int32_t partitions);

}  // namespace gafka::rules
