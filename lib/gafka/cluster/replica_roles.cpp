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

std::int64_t incarnation_of(const std::vector<partition_view>& partitions, const std::string& topic) {
    for (const auto& p : partitions)
        if (p.topic == topic && p.partition == 0) return p.create_revision;
    return no_incarnation;
}

std::vector<topic_decision> local_topic_fates(std::int32_t self, const std::vector<partition_view>& partitions,
                                              const std::vector<local_topic>& local) {
    std::map<std::string, std::int64_t> recorded;  // each topic etcd has, with its incarnation (0: no partition 0)
    for (const auto& p : partitions) {
        auto& incarnation = recorded[p.topic];
        if (p.partition == 0) incarnation = p.create_revision;
    }
    const auto held = topics_to_hold(self, partitions);
    std::vector<topic_decision> out;
    for (const auto& t : local) {
        if (t.incarnation == no_incarnation) {
            out.push_back({t.name, topic_fate::unrecorded, no_incarnation});
            continue;
        }
        auto it = recorded.find(t.name);
        if (it == recorded.end()) {
            if (t.incarnation != unsettled_incarnation) out.push_back({t.name, topic_fate::drop, no_incarnation});
            continue;
        }
        const auto etcd = it->second;
        if (etcd == no_incarnation || etcd == t.incarnation) continue;
        if (t.incarnation == unsettled_incarnation) out.push_back({t.name, topic_fate::stamp, etcd});
        else if (held.count(t.name)) out.push_back({t.name, topic_fate::replace, etcd});
        else out.push_back({t.name, topic_fate::drop, no_incarnation});
    }
    return out;
}

}  // namespace gafka::cluster
