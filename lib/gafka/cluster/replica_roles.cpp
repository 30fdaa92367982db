#include "gafka/cluster/replica_roles.h"

#include <algorithm>

namespace gafka::cluster {
namespace {

bool holds(std::int32_t self, const partition_view& p) {
    return std::find(p.replicas.begin(), p.replicas.end(), self) != p.replicas.end();
}

}  // namespace

std::vector<partition_role> roles_of(std::int32_t self, const std::vector<partition_view>& partitions) {
    std::vector<partition_role> out;
    out.reserve(partitions.size());
    for (const auto& p : partitions) {
        partition_role r{p.topic, p.partition, replica_role::none, p.leader, p.leader_epoch, p.isr};
        if (p.leader == self) r.role = replica_role::leader;
        else if (p.leader >= 0 && holds(self, p)) r.role = replica_role::follower;
        out.push_back(std::move(r));
    }
    return out;
}

std::map<std::string, std::int32_t> topics_to_hold(std::int32_t self, const std::vector<partition_view>& partitions) {
    std::map<std::string, std::int32_t> count;
    for (const auto& p : partitions) {
        auto& n = count[p.topic];
        n = std::max(n, p.partition + 1);
    }
    std::map<std::string, std::int32_t> out;
    for (const auto& p : partitions)
        if (holds(self, p) || p.leader == self) out[p.topic] = count[p.topic];
    return out;
}

std::map<std::int32_t, std::vector<topic_partition_ref>> follow_plan(const std::vector<partition_role>& roles) {
    std::map<std::int32_t, std::vector<topic_partition_ref>> out;
    for (const auto& r : roles)
        if (r.role == replica_role::follower) out[r.leader].emplace_back(r.topic, r.partition);
    return out;
}

}  // namespace gafka::cluster
