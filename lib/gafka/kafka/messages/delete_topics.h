#pragma once
// DeleteTopics (api key 20), versions 0-3, none flexible: the fields of
// Kafka's DeleteTopicsRequest.json and DeleteTopicsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::delete_topics_fields {

inline constexpr field request_fields[] = {
    f::array_of(type::string, "topic_names", range(0, 5)),
    f::i32("timeout_ms", since(0)),
};
inline constexpr struct_schema request{"DeleteTopicsRequest", request_fields};

inline constexpr field deletable_topic_result_fields[] = {
    f::str("name", since(0)).null_in(since(6)),
    f::i16("error_code", since(0)),
};
inline constexpr struct_schema deletable_topic_result{"DeletableTopicResult", deletable_topic_result_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::array_of(deletable_topic_result, "responses", since(0)),
};
inline constexpr struct_schema response{"DeleteTopicsResponse", response_fields};

}  // namespace gafka::kafka::messages::delete_topics_fields

namespace gafka::kafka::messages {
inline constexpr api_schema delete_topics{"DeleteTopics", 20, range(0, 3), max_api_version, &delete_topics_fields::request, &delete_topics_fields::response};
}  // namespace gafka::kafka::messages
