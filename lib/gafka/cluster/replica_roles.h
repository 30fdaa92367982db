#pragma once
// What one broker does with each partition the controller recorded in etcd
// (cluster_view.h): lead it at the key's leader epoch, follow its leader, or
// hold no replica of it (then it refuses writes, naming the leader, and
// copies nothing). Pure: the view in, the plan out; server/cluster_replicas
// applies it.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gafka/cluster/cluster_view.h"

namespace gafka::cluster {

enum class replica_role { leader, follower, none };

struct partition_role {
    std::string topic;
    std::int32_t partition = 0;
    replica_role role = replica_role::none;
    std::int32_t leader = -1;  // -1: none recorded
    std::int32_t leader_epoch = 0;
    std::vector<std::int32_t> isr;  // as recorded; seeds a leader's in-sync set
    bool operator==(const partition_role&) const = default;
};

// Every partition of the view, with `self`'s role in it: leader when the key
// names it leader, follower when it is another replica and a leader is
// recorded, none otherwise (not a replica, or no leader).
std::vector<partition_role> roles_of(std::int32_t self, const std::vector<partition_view>& partitions);

// The topics `self` holds a replica of, each with its partition count (one
// past the highest partition recorded for it).
std::map<std::string, std::int32_t> topics_to_hold(std::int32_t self, const std::vector<partition_view>& partitions);

using topic_partition_ref = std::pair<std::string, std::int32_t>;

// A leader's in-sync set, to record in the partition's key (member.h).
struct isr_proposal {
    std::string topic;
    std::int32_t partition = 0;
    std::int32_t leader_epoch = 0;
    std::vector<std::int32_t> isr;  // the leader first
};
// The partitions `self` follows, grouped by their leader: one fetcher each.
std::map<std::int32_t, std::vector<topic_partition_ref>> follow_plan(const std::vector<partition_role>& roles);

}  // namespace gafka::cluster
