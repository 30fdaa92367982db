#pragma once
// SyncGroup (api key 14), versions 0-3, none flexible: the fields of
// Kafka's SyncGroupRequest.json and SyncGroupResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::sync_group_fields {

inline constexpr field sync_group_request_assignment_fields[] = {
    f::str("member_id", since(0)),
    f::bytes("assignment", since(0)),
};
inline constexpr struct_schema sync_group_request_assignment{"SyncGroupRequestAssignment", sync_group_request_assignment_fields};

inline constexpr field request_fields[] = {
    f::str("group_id", since(0)),
    f::i32("generation_id", since(0)),
    f::str("member_id", since(0)),
    f::str("group_instance_id", since(3)).null_in(since(3)),
    f::array_of(sync_group_request_assignment, "assignments", since(0)),
};
inline constexpr struct_schema request{"SyncGroupRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::i16("error_code", since(0)),
    f::bytes("assignment", since(0)),
};
inline constexpr struct_schema response{"SyncGroupResponse", response_fields};

}  // namespace gafka::kafka::messages::sync_group_fields

namespace gafka::kafka::messages {
inline constexpr api_schema sync_group{"SyncGroup", 14, range(0, 3), max_api_version, &sync_group_fields::request, &sync_group_fields::response};
}  // namespace gafka::kafka::messages
