#pragma once
// ListOffsets (api key 2), versions 0-3, none flexible: the fields of
// Kafka's ListOffsetsRequest.json and ListOffsetsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::list_offsets_fields {

inline constexpr field list_offsets_partition_fields[] = {
    f::i32("partition_index", since(0)),
    f::i64("timestamp", since(0)),
    f::i32("max_num_offsets", only(0)).def(1),
};
inline constexpr struct_schema list_offsets_partition{"ListOffsetsPartition", list_offsets_partition_fields};

inline constexpr field list_offsets_topic_fields[] = {
    f::str("name", since(0)),
    f::array_of(list_offsets_partition, "partitions", since(0)),
};
inline constexpr struct_schema list_offsets_topic{"ListOffsetsTopic", list_offsets_topic_fields};

inline constexpr field request_fields[] = {
    f::i32("replica_id", since(0)),
    f::i8("isolation_level", since(2)),
    f::array_of(list_offsets_topic, "topics", since(0)),
};
inline constexpr struct_schema request{"ListOffsetsRequest", request_fields};

inline constexpr field list_offsets_partition_response_fields[] = {
    f::i32("partition_index", since(0)),
    f::i16("error_code", since(0)),
    f::array_of(type::int64, "old_style_offsets", only(0)),
    f::i64("timestamp", since(1)).def(-1),
    f::i64("offset", since(1)).def(-1),
};
inline constexpr struct_schema list_offsets_partition_response{"ListOffsetsPartitionResponse", list_offsets_partition_response_fields};

inline constexpr field list_offsets_topic_response_fields[] = {
    f::str("name", since(0)),
    f::array_of(list_offsets_partition_response, "partitions", since(0)),
};
inline constexpr struct_schema list_offsets_topic_response{"ListOffsetsTopicResponse", list_offsets_topic_response_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(2)),
    f::array_of(list_offsets_topic_response, "topics", since(0)),
};
inline constexpr struct_schema response{"ListOffsetsResponse", response_fields};

}  // namespace gafka::kafka::messages::list_offsets_fields

namespace gafka::kafka::messages {
inline constexpr api_schema list_offsets{"ListOffsets", 2, range(0, 3), max_api_version, &list_offsets_fields::request, &list_offsets_fields::response};
}  // namespace gafka::kafka::messages
