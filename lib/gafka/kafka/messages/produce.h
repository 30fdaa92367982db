#pragma once
// Produce (api key 0), versions 0-7, none flexible: the fields of
// Kafka's ProduceRequest.json and ProduceResponse.json that exist in those versions
// (0-2 are decoded so that ApiVersions may list Produce from 0, which
// librdkafka asks before it compresses; their message sets are refused).
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::produce_fields {

inline constexpr field partition_produce_data_fields[] = {
    f::i32("index", since(0)),
    f::records("records", since(0)).null_in(since(0)),
};
inline constexpr struct_schema partition_produce_data{"PartitionProduceData", partition_produce_data_fields};

inline constexpr field topic_produce_data_fields[] = {
    f::str("name", since(0)),
    f::array_of(partition_produce_data, "partition_data", since(0)),
};
inline constexpr struct_schema topic_produce_data{"TopicProduceData", topic_produce_data_fields};

inline constexpr field request_fields[] = {
    f::str("transactional_id", since(3)).null_in(since(3)),
    f::i16("acks", since(0)),
    f::i32("timeout_ms", since(0)),
    f::array_of(topic_produce_data, "topic_data", since(0)),
};
inline constexpr struct_schema request{"ProduceRequest", request_fields};

inline constexpr field partition_produce_response_fields[] = {
    f::i32("index", since(0)),
    f::i16("error_code", since(0)),
    f::i64("base_offset", since(0)),
    f::i64("log_append_time_ms", since(2)).def(-1),
    f::i64("log_start_offset", since(5)).def(-1),
};
inline constexpr struct_schema partition_produce_response{"PartitionProduceResponse", partition_produce_response_fields};

inline constexpr field topic_produce_response_fields[] = {
    f::str("name", since(0)),
    f::array_of(partition_produce_response, "partition_responses", since(0)),
};
inline constexpr struct_schema topic_produce_response{"TopicProduceResponse", topic_produce_response_fields};

inline constexpr field response_fields[] = {
    f::array_of(topic_produce_response, "responses", since(0)),
    f::i32("throttle_time_ms", since(1)),
};
inline constexpr struct_schema response{"ProduceResponse", response_fields};

}  // namespace gafka::kafka::messages::produce_fields

namespace gafka::kafka::messages {
inline constexpr api_schema produce{"Produce", 0, range(0, 7), max_api_version, &produce_fields::request, &produce_fields::response};
}  // namespace gafka::kafka::messages
