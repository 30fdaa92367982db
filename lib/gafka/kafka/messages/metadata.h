#pragma once
// Metadata (api key 3), versions 0-9, flexible from 9: the fields of
// Kafka's MetadataRequest.json and MetadataResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::metadata_fields {

inline constexpr field metadata_request_topic_fields[] = {
    f::str("name", since(0)).null_in(since(10)),
};
inline constexpr struct_schema metadata_request_topic{"MetadataRequestTopic", metadata_request_topic_fields};

inline constexpr field request_fields[] = {
    f::array_of(metadata_request_topic, "topics", since(0)).null_in(since(1)),
    f::boolean("allow_auto_topic_creation", since(4)).def(1),
    f::boolean("include_cluster_authorized_operations", range(8, 10)),
    f::boolean("include_topic_authorized_operations", since(8)),
};
inline constexpr struct_schema request{"MetadataRequest", request_fields};

inline constexpr field metadata_response_broker_fields[] = {
    f::i32("node_id", since(0)),
    f::str("host", since(0)),
    f::i32("port", since(0)),
    f::str("rack", since(1)).null_in(since(1)),
};
inline constexpr struct_schema metadata_response_broker{"MetadataResponseBroker", metadata_response_broker_fields};

inline constexpr field metadata_response_partition_fields[] = {
    f::i16("error_code", since(0)),
    f::i32("partition_index", since(0)),
    f::i32("leader_id", since(0)),
    f::i32("leader_epoch", since(7)).def(-1),
    f::array_of(type::int32, "replica_nodes", since(0)),
    f::array_of(type::int32, "isr_nodes", since(0)),
    f::array_of(type::int32, "offline_replicas", since(5)),
};
inline constexpr struct_schema metadata_response_partition{"MetadataResponsePartition", metadata_response_partition_fields};

inline constexpr field metadata_response_topic_fields[] = {
    f::i16("error_code", since(0)),
    f::str("name", since(0)).null_in(since(12)),
    f::boolean("is_internal", since(1)),
    f::array_of(metadata_response_partition, "partitions", since(0)),
    f::i32("topic_authorized_operations", since(8)).def(-2147483648),
};
inline constexpr struct_schema metadata_response_topic{"MetadataResponseTopic", metadata_response_topic_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(3)),
    f::array_of(metadata_response_broker, "brokers", since(0)),
    f::str("cluster_id", since(2)).null_in(since(2)),
    f::i32("controller_id", since(1)).def(-1),
    f::array_of(metadata_response_topic, "topics", since(0)),
    f::i32("cluster_authorized_operations", range(8, 10)).def(-2147483648),
};
inline constexpr struct_schema response{"MetadataResponse", response_fields};

}  // namespace gafka::kafka::messages::metadata_fields

namespace gafka::kafka::messages {
inline constexpr api_schema metadata{"Metadata", 3, range(0, 9), 9, &metadata_fields::request, &metadata_fields::response};
}  // namespace gafka::kafka::messages
