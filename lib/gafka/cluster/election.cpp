#include "gafka/cluster/election.h"

#include <algorithm>

namespace gafka::cluster {

std::optional<partition_state> elect_leader(const partition_state& p, const std::set<std::int32_t>& live,
                                            bool unclean) {
    if (p.leader >= 0 && live.contains(p.leader)) return std::nullopt;
    auto in_isr = [&](std::int32_t id) { return std::find(p.isr.begin(), p.isr.end(), id) != p.isr.end(); };
    partition_state next = p;
    next.leader = -1;
    for (auto r : p.replicas)
        if (in_isr(r) && live.contains(r)) {
            next.leader = r;
            break;
        }
    if (next.leader >= 0) {
        std::erase_if(next.isr, [&](std::int32_t id) { return !live.contains(id); });
    } else if (unclean) {
        for (auto r : p.replicas)
            if (live.contains(r)) {
                next.leader = r;
                next.isr = {r};
                break;
            }
    }
    if (next.leader == p.leader) return std::nullopt;  // still none
    next.leader_epoch = p.leader_epoch + 1;
    return next;
}

std::optional<partition_state> preferred_leader(const partition_state& p, const std::set<std::int32_t>& live) {
    if (p.replicas.empty()) return std::nullopt;
    const auto preferred = p.replicas.front();
    if (p.leader == preferred || !live.contains(preferred)) return std::nullopt;
    if (std::find(p.isr.begin(), p.isr.end(), preferred) == p.isr.end()) return std::nullopt;
    partition_state next = p;
    next.leader = preferred;
    next.leader_epoch = p.leader_epoch + 1;
    return next;
}

std::optional<partition_state> with_isr(const partition_state& p, std::int32_t leader, std::int32_t leader_epoch,
                                        std::vector<std::int32_t> isr) {
    if (p.leader != leader || p.leader_epoch != leader_epoch) return std::nullopt;
    if (std::find(isr.begin(), isr.end(), leader) == isr.end()) return std::nullopt;
    auto sorted = [](std::vector<std::int32_t> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    if (sorted(isr) == sorted(p.isr)) return std::nullopt;
    partition_state next = p;
    next.isr = std::move(isr);
    return next;
}

}  // namespace gafka::cluster
