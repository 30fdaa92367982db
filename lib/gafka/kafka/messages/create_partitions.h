#pragma once
// CreatePartitions (api key 37), versions 0-1, none flexible: the fields of
// Kafka's CreatePartitionsRequest.json and CreatePartitionsResponse.json
// that exist in those versions (v1 differs from v0 only in throttling).
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::create_partitions_fields {

inline constexpr field create_partitions_assignment_fields[] = {
    f::array_of(type::int32, "broker_ids", since(0)),
};
inline constexpr struct_schema create_partitions_assignment{"CreatePartitionsAssignment",
                                                            create_partitions_assignment_fields};

inline constexpr field create_partitions_topic_fields[] = {
    f::str("name", since(0)),
    f::i32("count", since(0)),
    f::array_of(create_partitions_assignment, "assignments", since(0)).null_in(since(0)),
};
inline constexpr struct_schema create_partitions_topic{"CreatePartitionsTopic", create_partitions_topic_fields};

inline constexpr field request_fields[] = {
    f::array_of(create_partitions_topic, "topics", since(0)),
    f::i32("timeout_ms", since(0)),
    f::boolean("validate_only", since(0)),
};
inline constexpr struct_schema request{"CreatePartitionsRequest", request_fields};

inline constexpr field create_partitions_topic_result_fields[] = {
    f::str("name", since(0)),
    f::i16("error_code", since(0)),
    f::str("error_message", since(0)).null_in(since(0)),
};
inline constexpr struct_schema create_partitions_topic_result{"CreatePartitionsTopicResult",
                                                              create_partitions_topic_result_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(0)),
    f::array_of(create_partitions_topic_result, "results", since(0)),
};
inline constexpr struct_schema response{"CreatePartitionsResponse", response_fields};

}  // namespace gafka::kafka::messages::create_partitions_fields

namespace gafka::kafka::messages {
inline constexpr api_schema create_partitions{"CreatePartitions", 37, range(0, 1), max_api_version,
                                              &create_partitions_fields::request, &create_partitions_fields::response};
}  // namespace gafka::kafka::messages
