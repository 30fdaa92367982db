#pragma once
// FindCoordinator (api key 10), versions 0-2, none flexible: the fields of
// Kafka's FindCoordinatorRequest.json and FindCoordinatorResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::find_coordinator_fields {

inline constexpr field request_fields[] = {
    f::str("key", range(0, 3)),
    f::i8("key_type", since(1)),
};
inline constexpr struct_schema request{"FindCoordinatorRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::i16("error_code", range(0, 3)),
    f::str("error_message", range(1, 3)).null_in(range(1, 3)),
    f::i32("node_id", range(0, 3)),
    f::str("host", range(0, 3)),
    f::i32("port", range(0, 3)),
};
inline constexpr struct_schema response{"FindCoordinatorResponse", response_fields};

}  // namespace gafka::kafka::messages::find_coordinator_fields

namespace gafka::kafka::messages {
inline constexpr api_schema find_coordinator{"FindCoordinator", 10, range(0, 2), max_api_version, &find_coordinator_fields::request, &find_coordinator_fields::response};
}  // namespace gafka::kafka::messages
