#pragma once
// Fetch (api key 1), versions 4-11, none flexible: the fields of
// Kafka's FetchRequest.json and FetchResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::fetch_fields {

inline constexpr field fetch_partition_fields[] = {
    f::i32("partition", since(4)),
    f::i32("current_leader_epoch", since(9)).def(-1),
    f::i64("fetch_offset", since(4)),
    f::i64("log_start_offset", since(5)).def(-1),
    f::i32("partition_max_bytes", since(4)),
};
inline constexpr struct_schema fetch_partition{"FetchPartition", fetch_partition_fields};

inline constexpr field fetch_topic_fields[] = {
    f::str("topic", range(4, 12)),
    f::array_of(fetch_partition, "partitions", since(4)),
};
inline constexpr struct_schema fetch_topic{"FetchTopic", fetch_topic_fields};

inline constexpr field forgotten_topic_fields[] = {
    f::str("topic", range(7, 12)),
    f::array_of(type::int32, "partitions", since(7)),
};
inline constexpr struct_schema forgotten_topic{"ForgottenTopic", forgotten_topic_fields};

inline constexpr field request_fields[] = {
    f::i32("replica_id", range(4, 14)).def(-1),
    f::i32("max_wait_ms", since(4)),
    f::i32("min_bytes", since(4)),
    f::i32("max_bytes", since(4)).def(2147483647),
    f::i8("isolation_level", since(4)),
    f::i32("session_id", since(7)),
    f::i32("session_epoch", since(7)).def(-1),
    f::array_of(fetch_topic, "topics", since(4)),
    f::array_of(forgotten_topic, "forgotten_topics_data", since(7)),
    f::str("rack_id", since(11)),
};
inline constexpr struct_schema request{"FetchRequest", request_fields};

inline constexpr field aborted_transaction_fields[] = {
    f::i64("producer_id", since(4)),
    f::i64("first_offset", since(4)),
};
inline constexpr struct_schema aborted_transaction{"AbortedTransaction", aborted_transaction_fields};

inline constexpr field partition_data_fields[] = {
    f::i32("partition_index", since(4)),
    f::i16("error_code", since(4)),
    f::i64("high_watermark", since(4)),
    f::i64("last_stable_offset", since(4)).def(-1),
    f::i64("log_start_offset", since(5)).def(-1),
    f::array_of(aborted_transaction, "aborted_transactions", since(4)).null_in(since(4)),
    f::i32("preferred_read_replica", since(11)).def(-1),
    f::records("records", since(4)).null_in(since(4)),
};
inline constexpr struct_schema partition_data{"PartitionData", partition_data_fields};

inline constexpr field fetchable_topic_response_fields[] = {
    f::str("topic", range(4, 12)),
    f::array_of(partition_data, "partitions", since(4)),
};
inline constexpr struct_schema fetchable_topic_response{"FetchableTopicResponse", fetchable_topic_response_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(4)),
    f::i16("error_code", since(7)),
    f::i32("session_id", since(7)),
    f::array_of(fetchable_topic_response, "responses", since(4)),
};
inline constexpr struct_schema response{"FetchResponse", response_fields};

}  // namespace gafka::kafka::messages::fetch_fields

namespace gafka::kafka::messages {
inline constexpr api_schema fetch{"Fetch", 1, range(4, 11), max_api_version, &fetch_fields::request, &fetch_fields::response};
}  // namespace gafka::kafka::messages
