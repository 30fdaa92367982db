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

// Incarnations (docs/cluster.md, "Deleting a topic"): the create revision
// of a topic's partition-0 key identifies one life of the topic; the local
// copy keeps the one it was made for in its topic.json.
constexpr std::int64_t no_incarnation = 0;        // made outside a cluster
constexpr std::int64_t unsettled_incarnation = -1;  // made in the cluster, not yet matched with etcd

// The incarnation etcd holds for `topic` in the view: its partition 0's
// create revision; no_incarnation when the view has no such key (or does
// not know its revision).
std::int64_t incarnation_of(const std::vector<partition_view>& partitions, const std::string& topic);

struct local_topic {
    std::string name;
    std::int64_t incarnation = no_incarnation;
};
enum class topic_fate {
    drop,        // etcd no longer has the topic: delete the copy
    replace,     // etcd has another life of it, with a replica here: delete the copy, then create the new one
    stamp,       // unsettled, and etcd has it: record etcd's incarnation
    unrecorded,  // made outside a cluster: left alone, whatever etcd says
};
struct topic_decision {
    std::string topic;
    topic_fate fate = topic_fate::drop;
    std::int64_t incarnation = no_incarnation;  // replace, stamp: etcd's
    bool operator==(const topic_decision&) const = default;
};
// What `self` does with each local topic, given a view that mirrors a
// complete read of etcd (member::view_is_current; never decide from less):
// a copy whose incarnation is etcd's, or an unsettled one etcd does not
// have (a topic local to this broker), is kept and not listed; one that
// carries an incarnation etcd no longer has is dropped, or replaced when
// etcd has a later life of the topic (a copy of another life that has no
// replica here is dropped). A view that lacks partition 0 of a topic it
// has decides nothing for it. In the order of `local`.
std::vector<topic_decision> local_topic_fates(std::int32_t self, const std::vector<partition_view>& partitions,
                                              const std::vector<local_topic>& local);

}  // namespace gafka::cluster
