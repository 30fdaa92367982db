#pragma once
// Heartbeat (api key 12), versions 0-3, none flexible: the fields of
// Kafka's HeartbeatRequest.json and HeartbeatResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::heartbeat_fields {

inline constexpr field request_fields[] = {
    f::str("group_id", since(0)),
    f::i32("generation_id", since(0)),
    f::str("member_id", since(0)),
    f::str("group_instance_id", since(3)).null_in(since(3)),
};
inline constexpr struct_schema request{"HeartbeatRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::i16("error_code", since(0)),
};
inline constexpr struct_schema response{"HeartbeatResponse", response_fields};

}  // namespace gafka::kafka::messages::heartbeat_fields

namespace gafka::kafka::messages {
inline constexpr api_schema heartbeat{"Heartbeat", 12, range(0, 3), max_api_version, &heartbeat_fields::request, &heartbeat_fields::response};
}  // namespace gafka::kafka::messages
