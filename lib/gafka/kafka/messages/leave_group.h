#pragma once
// LeaveGroup (api key 13), versions 0-3, none flexible: the fields of
// Kafka's LeaveGroupRequest.json and LeaveGroupResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::leave_group_fields {

inline constexpr field member_identity_fields[] = {
    f::str("member_id", since(3)),
    f::str("group_instance_id", since(3)).null_in(since(3)),
};
inline constexpr struct_schema member_identity{"MemberIdentity", member_identity_fields};

inline constexpr field request_fields[] = {
    f::str("group_id", since(0)),
    f::str("member_id", range(0, 2)),
    f::array_of(member_identity, "members", since(3)),
};
inline constexpr struct_schema request{"LeaveGroupRequest", request_fields};

inline constexpr field member_response_fields[] = {
    f::str("member_id", since(3)),
    f::str("group_instance_id", since(3)).null_in(since(3)),
    f::i16("error_code", since(3)),
};
inline constexpr struct_schema member_response{"MemberResponse", member_response_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::i16("error_code", since(0)),
    f::array_of(member_response, "members", since(3)),
};
inline constexpr struct_schema response{"LeaveGroupResponse", response_fields};

}  // namespace gafka::kafka::messages::leave_group_fields

namespace gafka::kafka::messages {
inline constexpr api_schema leave_group{"LeaveGroup", 13, range(0, 3), max_api_version, &leave_group_fields::request, &leave_group_fields::response};
}  // namespace gafka::kafka::messages
