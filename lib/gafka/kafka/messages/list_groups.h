#pragma once
// ListGroups (api key 16), versions 0-2, none flexible: the fields of
// Kafka's ListGroupsRequest.json and ListGroupsResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::list_groups_fields {

inline constexpr struct_schema request{"ListGroupsRequest", {}};

inline constexpr field listed_group_fields[] = {
    f::str("group_id", since(0)),
    f::str("protocol_type", since(0)),
};
inline constexpr struct_schema listed_group{"ListedGroup", listed_group_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(1)),
    f::i16("error_code", since(0)),
    f::array_of(listed_group, "groups", since(0)),
};
inline constexpr struct_schema response{"ListGroupsResponse", response_fields};

}  // namespace gafka::kafka::messages::list_groups_fields

namespace gafka::kafka::messages {
inline constexpr api_schema list_groups{"ListGroups", 16, range(0, 2), max_api_version, &list_groups_fields::request, &list_groups_fields::response};
}  // namespace gafka::kafka::messages
