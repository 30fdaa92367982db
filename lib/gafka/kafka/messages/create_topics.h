#pragma once
// CreateTopics (api key 19), versions 0-4, none flexible: the fields of
// Kafka's CreateTopicsRequest.json and CreateTopicsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::create_topics_fields {

inline constexpr field creatable_replica_assignment_fields[] = {
    f::i32("partition_index", since(0)),
    f::array_of(type::int32, "broker_ids", since(0)),
};
inline constexpr struct_schema creatable_replica_assignment{"CreatableReplicaAssignment", creatable_replica_assignment_fields};

inline constexpr field creatable_topic_config_fields[] = {
    f::str("name", since(0)),
    f::str("value", since(0)).null_in(since(0)),
};
inline constexpr struct_schema creatable_topic_config{"CreatableTopicConfig", creatable_topic_config_fields};

inline constexpr field creatable_topic_fields[] = {
    f::str("name", since(0)),
    f::i32("num_partitions", since(0)),
    f::i16("replication_factor", since(0)),
    f::array_of(creatable_replica_assignment, "assignments", since(0)),
    f::array_of(creatable_topic_config, "configs", since(0)),
};
inline constexpr struct_schema creatable_topic{"CreatableTopic", creatable_topic_fields};

inline constexpr field request_fields[] = {
    f::array_of(creatable_topic, "topics", since(0)),
    f::i32("timeout_ms", since(0)).def(60000),
    f::boolean("validate_only", since(1)),
};
inline constexpr struct_schema request{"CreateTopicsRequest", request_fields};

inline constexpr field creatable_topic_result_fields[] = {
    f::str("name", since(0)),
    f::i16("error_code", since(0)),
    f::str("error_message", since(1)).null_in(since(1)),
};
inline constexpr struct_schema creatable_topic_result{"CreatableTopicResult", creatable_topic_result_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(2)),
    f::array_of(creatable_topic_result, "topics", since(0)),
};
inline constexpr struct_schema response{"CreateTopicsResponse", response_fields};

}  // namespace gafka::kafka::messages::create_topics_fields

namespace gafka::kafka::messages {
inline constexpr api_schema create_topics{"CreateTopics", 19, range(0, 4), max_api_version, &create_topics_fields::request, &create_topics_fields::response};
}  // namespace gafka::kafka::messages
