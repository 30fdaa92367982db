#pragma once
// DescribeGroups (api key 15), versions 0-4, none flexible: the fields of
// Kafka's DescribeGroupsRequest.json and DescribeGroupsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::describe_groups_fields {

inline constexpr field request_fields[] = {
    f::array_of(type::string, "groups", since(0)),
    f::boolean("include_authorized_operations", since(3)),
};
inline constexpr struct_schema request{"DescribeGroupsRequest", request_fields};

inline constexpr field described_group_member_fields[] = {
    f::str("member_id", since(0)),
    f::str("group_instance_id", since(4)).null_in(since(4)),
    f::str("client_id", since(0)),
    f::str("client_host", since(0)),
    f::bytes("member_metadata", since(0)),
    f::bytes("member_assignment", since(0)),
};
inline constexpr struct_schema described_group_member{"DescribedGroupMember", described_group_member_fields};

inline constexpr field described_group_fields[] = {
    f::i16("error_code", since(0)),
    f::str("group_id", since(0)),
    f::str("group_state", since(0)),
    f::str("protocol_type", since(0)),
    f::str("protocol_data", since(0)),
    f::array_of(described_group_member, "members", since(0)),
    f::i32("authorized_operations", since(3)).def(-2147483648LL),
};
inline constexpr struct_schema described_group{"DescribedGroup", described_group_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::array_of(described_group, "groups", since(0)),
};
inline constexpr struct_schema response{"DescribeGroupsResponse", response_fields};

}  // namespace gafka::kafka::messages::describe_groups_fields

namespace gafka::kafka::messages {
inline constexpr api_schema describe_groups{"DescribeGroups", 15, range(0, 4), max_api_version, &describe_groups_fields::request, &describe_groups_fields::response};
}  // namespace gafka::kafka::messages
