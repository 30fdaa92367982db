#include "gafka/broker/group_directory.h"

#include <map>

namespace gafka::broker {

std::string gafka_protocol_type(const group_view& g) { return g.members.empty() ? "" : "gafka"; }

std::vector<group_summary> list_groups(const group_coordinator& groups, const classic_groups* kafka_groups) {
    std::map<std::string, group_summary> by_id;
    for (const auto& g : groups.list())
        by_id[g.group_id] = {g.group_id, false, g.generation, g.members.size(), gafka_protocol_type(g)};
    if (kafka_groups)
        for (const auto& g : kafka_groups->list())
            by_id[g.group_id] = {g.group_id, true, g.generation, g.members.size(), g.protocol_type};
    std::vector<group_summary> out;
    for (auto& [_, g] : by_id) out.push_back(std::move(g));
    return out;
}

std::optional<classic_group_view> kafka_members_of(const classic_groups* kafka_groups, const std::string& group) {
    auto v = kafka_groups ? kafka_groups->describe(group) : std::nullopt;
    if (v && v->members.empty()) return std::nullopt;
    return v;
}

}  // namespace gafka::broker
