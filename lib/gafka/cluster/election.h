#pragma once
// Who leads a partition when brokers come and go (docs/cluster.md,
// "Failover"): the controller's rule, pure. The controller applies it to
// every partition key each time a broker's registration appears or goes
// (its lease expired) and when it takes office, and writes each change by
// compare-and-swap (assignment.h, update_partition_txn).
//
// The rule, after Kafka's OfflinePartitionLeaderElectionStrategy:
//  - A partition whose leader is live keeps it: nothing to write.
//  - Otherwise its new leader is the first replica (in replica order, so
//    the preferred leader first) that is in the ISR and live. The ISR keeps
//    its live members only: a broker whose lease is gone holds nothing it
//    could acknowledge, and rejoins when it has caught up.
//  - No live ISR member: with unclean election, the first live replica
//    leads alone (records acknowledged only by the others may be lost);
//    without it, the partition has no leader (-1) and keeps its ISR, so the
//    last in-sync replica leads again when it comes back.
//  - Every change of leader (to -1 too) bumps the leader epoch, which the
//    replicas check, so a deposed leader's writes and fetches are refused.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "gafka/cluster/assignment.h"

namespace gafka::cluster {

// The state `p` moves to given the live brokers, or nullopt when it stays.
// The result's controller_epoch is left as `p`'s (the writer sets its own).
std::optional<partition_state> elect_leader(const partition_state& p, const std::set<std::int32_t>& live,
                                            bool unclean);

// Preferred leader election (`gafka-admin elect-leaders`, after Kafka's
// PreferredReplicaPartitionLeaderElection): the state `p` moves to when its
// preferred replica (the first of its replicas) is live, in the ISR and not
// the leader: that replica leads, at the next leader epoch, the ISR as it is.
// nullopt when it leads already or cannot lead.
std::optional<partition_state> preferred_leader(const partition_state& p, const std::set<std::int32_t>& live);

// A leadership change made by a preferred election, as the controller reports it.
struct elected_leader {
    std::string topic;
    std::int32_t partition = 0;
    std::int32_t leader = -1;
    std::int32_t leader_epoch = 0;
};

// `p` with the ISR its leader proposes (`isr`, the leader first), or nullopt
// when that changes nothing or is not for this leader and epoch: a leader
// may change only the ISR of a partition it leads at the key's epoch, and
// never drop itself from it.
std::optional<partition_state> with_isr(const partition_state& p, std::int32_t leader, std::int32_t leader_epoch,
                                        std::vector<std::int32_t> isr);

}  // namespace gafka::cluster
