#pragma once
// OffsetCommit (api key 8), versions 0-7, none flexible: the fields of
// Kafka's OffsetCommitRequest.json and OffsetCommitResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::offset_commit_fields {

inline constexpr field offset_commit_request_partition_fields[] = {
    f::i32("partition_index", since(0)),
    f::i64("committed_offset", since(0)),
    f::i32("committed_leader_epoch", since(6)).def(-1),
    f::i64("commit_timestamp", only(1)).def(-1),
    f::str("committed_metadata", since(0)).null_in(since(0)),
};
inline constexpr struct_schema offset_commit_request_partition{"OffsetCommitRequestPartition", offset_commit_request_partition_fields};

inline constexpr field offset_commit_request_topic_fields[] = {
    f::str("name", since(0)),
    f::array_of(offset_commit_request_partition, "partitions", since(0)),
};
inline constexpr struct_schema offset_commit_request_topic{"OffsetCommitRequestTopic", offset_commit_request_topic_fields};

inline constexpr field request_fields[] = {
    f::str("group_id", since(0)),
    f::i32("generation_id_or_member_epoch", since(1)).def(-1),
    f::str("member_id", since(1)),
    f::str("group_instance_id", since(7)).null_in(since(7)),
    f::i64("retention_time_ms", range(2, 4)).def(-1),
    f::array_of(offset_commit_request_topic, "topics", since(0)),
};
inline constexpr struct_schema request{"OffsetCommitRequest", request_fields};

inline constexpr field offset_commit_response_partition_fields[] = {
    f::i32("partition_index", since(0)),
    f::i16("error_code", since(0)),
};
inline constexpr struct_schema offset_commit_response_partition{"OffsetCommitResponsePartition", offset_commit_response_partition_fields};

inline constexpr field offset_commit_response_topic_fields[] = {
    f::str("name", since(0)),
    f::array_of(offset_commit_response_partition, "partitions", since(0)),
};
inline constexpr struct_schema offset_commit_response_topic{"OffsetCommitResponseTopic", offset_commit_response_topic_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(3)),
    f::array_of(offset_commit_response_topic, "topics", since(0)),
};
inline constexpr struct_schema response{"OffsetCommitResponse", response_fields};

}  // namespace gafka::kafka::messages::offset_commit_fields

namespace gafka::kafka::messages {
inline constexpr api_schema offset_commit{"OffsetCommit", 8, range(0, 7), max_api_version, &offset_commit_fields::request, &offset_commit_fields::response};
}  // namespace gafka::kafka::messages
