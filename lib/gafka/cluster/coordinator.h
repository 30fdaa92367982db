#pragma once
// Who coordinates a cluster's consumer groups: the live leader of partition
// 0 of the internal offsets topic (docs/cluster.md, "Group offsets").
#include <optional>

#include "gafka/cluster/cluster_view.h"
#include "gafka/rules/names.h"

namespace gafka::cluster {

// The coordinator's registration; nullopt while the partition has no
// recorded leader, or its leader is not live.
inline std::optional<broker_registration> group_coordinator_of(const cluster_view& v) {
    for (const auto& p : v.partitions) {
        if (p.topic != rules::offsets_topic || p.partition != 0) continue;
        for (const auto& b : v.brokers)
            if (b.id == p.leader && b.live) return b;
    }
    return std::nullopt;
}

}  // namespace gafka::cluster
