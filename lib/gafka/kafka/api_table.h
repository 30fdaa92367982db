#pragma once
// The APIs gafka serves over the Kafka protocol and their versions: the one
// table a decoder checks requests against and ApiVersions is answered from
// (docs/kafka.md lists the same, kept in step by a test once it exists).
#include <span>

#include "gafka/kafka/schema.h"

namespace gafka::kafka {

// Every served API, in ascending api key order.
std::span<const api_schema* const> served_apis();
// The served API with key `key`, or nullptr.
const api_schema* find_api(api_key_t key);

namespace api_key {
inline constexpr api_key_t produce = 0;
inline constexpr api_key_t fetch = 1;
inline constexpr api_key_t list_offsets = 2;
inline constexpr api_key_t metadata = 3;
inline constexpr api_key_t offset_commit = 8;
inline constexpr api_key_t offset_fetch = 9;
inline constexpr api_key_t find_coordinator = 10;
inline constexpr api_key_t join_group = 11;
inline constexpr api_key_t heartbeat = 12;
inline constexpr api_key_t leave_group = 13;
inline constexpr api_key_t sync_group = 14;
inline constexpr api_key_t describe_groups = 15;
inline constexpr api_key_t list_groups = 16;
inline constexpr api_key_t sasl_handshake = 17;
inline constexpr api_key_t api_versions = 18;
inline constexpr api_key_t create_topics = 19;
inline constexpr api_key_t delete_topics = 20;
inline constexpr api_key_t init_producer_id = 22;
inline constexpr api_key_t sasl_authenticate = 36;
inline constexpr api_key_t create_partitions = 37;
}  // namespace api_key

}  // namespace gafka::kafka
