#pragma once
// JoinGroup (api key 11), versions 0-5, none flexible: the fields of
// Kafka's JoinGroupRequest.json and JoinGroupResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::join_group_fields {

inline constexpr field join_group_request_protocol_fields[] = {
    f::str("name", since(0)),
    f::bytes("metadata", since(0)),
};
inline constexpr struct_schema join_group_request_protocol{"JoinGroupRequestProtocol", join_group_request_protocol_fields};

inline constexpr field request_fields[] = {
    f::str("group_id", since(0)),
    f::i32("session_timeout_ms", since(0)),
    f::i32("rebalance_timeout_ms", since(1)).def(-1),
    f::str("member_id", since(0)),
    f::str("group_instance_id", since(5)).null_in(since(5)),
    f::str("protocol_type", since(0)),
    f::array_of(join_group_request_protocol, "protocols", since(0)),
};
inline constexpr struct_schema request{"JoinGroupRequest", request_fields};

inline constexpr field join_group_response_member_fields[] = {
    f::str("member_id", since(0)),
    f::str("group_instance_id", since(5)).null_in(since(5)),
    f::bytes("metadata", since(0)),
};
inline constexpr struct_schema join_group_response_member{"JoinGroupResponseMember", join_group_response_member_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(2)),
    f::i16("error_code", since(0)),
    f::i32("generation_id", since(0)).def(-1),
    f::str("protocol_name", since(0)).null_in(since(7)),
    f::str("leader", since(0)),
    f::str("member_id", since(0)),
    f::array_of(join_group_response_member, "members", since(0)),
};
inline constexpr struct_schema response{"JoinGroupResponse", response_fields};

}  // namespace gafka::kafka::messages::join_group_fields

namespace gafka::kafka::messages {
inline constexpr api_schema join_group{"JoinGroup", 11, range(0, 5), max_api_version, &join_group_fields::request, &join_group_fields::response};
}  // namespace gafka::kafka::messages
