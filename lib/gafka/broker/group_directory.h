#pragma once
// gafka's own (HTTP) groups and Kafka's classic groups share one space of
// group ids, and an id is one protocol's at a time: while a group has Kafka
// members they are all of it. What both protocol layers ask of the two
// registries together, so the rule lives in one place.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gafka/broker/classic_groups.h"
#include "gafka/broker/group_coordinator.h"

namespace gafka::broker {

struct group_summary {
    std::string group_id;
    bool kafka = false;  // its members are Kafka clients
    std::int64_t generation = 0;
    std::size_t members = 0;
    // Kafka's protocol type: the members' ("consumer") for a Kafka group;
    // "gafka" for a group of HTTP consumers with members; "" for a group
    // known only by its committed offsets.
    std::string protocol_type;
};

// The protocol type Kafka's group APIs give a group of gafka's HTTP
// consumers: "gafka" while it has members (a Kafka client cannot join
// it), "" once only its committed offsets are left (as a Kafka group of
// simple consumers).
std::string gafka_protocol_type(const group_view& g);

// Every group with members or committed offsets, sorted by id.
// `kafka_groups` may be null (no Kafka listener).
std::vector<group_summary> list_groups(const group_coordinator& groups, const classic_groups* kafka_groups);

// `group` as Kafka's classic groups see it, while it has Kafka members.
std::optional<classic_group_view> kafka_members_of(const classic_groups* kafka_groups, const std::string& group);

}  // namespace gafka::broker
