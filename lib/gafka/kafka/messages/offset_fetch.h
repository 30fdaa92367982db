#pragma once
// OffsetFetch (api key 9), versions 0-5, none flexible: the fields of
// Kafka's OffsetFetchRequest.json and OffsetFetchResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::offset_fetch_fields {

inline constexpr field offset_fetch_request_topic_fields[] = {
    f::str("name", range(0, 7)),
    f::array_of(type::int32, "partition_indexes", range(0, 7)),
};
inline constexpr struct_schema offset_fetch_request_topic{"OffsetFetchRequestTopic", offset_fetch_request_topic_fields};

inline constexpr field request_fields[] = {
    f::str("group_id", range(0, 7)),
    f::array_of(offset_fetch_request_topic, "topics", range(0, 7)).null_in(range(2, 7)),
};
inline constexpr struct_schema request{"OffsetFetchRequest", request_fields};

inline constexpr field offset_fetch_response_partition_fields[] = {
    f::i32("partition_index", range(0, 7)),
    f::i64("committed_offset", range(0, 7)),
    f::i32("committed_leader_epoch", range(5, 7)).def(-1),
    f::str("metadata", range(0, 7)).null_in(range(0, 7)),
    f::i16("error_code", range(0, 7)),
};
inline constexpr struct_schema offset_fetch_response_partition{"OffsetFetchResponsePartition", offset_fetch_response_partition_fields};

inline constexpr field offset_fetch_response_topic_fields[] = {
    f::str("name", range(0, 7)),
    f::array_of(offset_fetch_response_partition, "partitions", range(0, 7)),
};
inline constexpr struct_schema offset_fetch_response_topic{"OffsetFetchResponseTopic", offset_fetch_response_topic_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(3)),
    f::array_of(offset_fetch_response_topic, "topics", range(0, 7)),
    f::i16("error_code", range(2, 7)),
};
inline constexpr struct_schema response{"OffsetFetchResponse", response_fields};

}  // namespace gafka::kafka::messages::offset_fetch_fields

namespace gafka::kafka::messages {
inline constexpr api_schema offset_fetch{"OffsetFetch", 9, range(0, 5), max_api_version, &offset_fetch_fields::request, &offset_fetch_fields::response};
}  // namespace gafka::kafka::messages
