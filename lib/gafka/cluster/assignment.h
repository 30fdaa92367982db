#pragma once
// What the controller decides for a topic and how it is kept in etcd
// (docs/cluster.md, "What is in etcd"):
//   /gafka/<name>/topics/<topic>            {"partitions":6,"replication_factor":3,"retention_ms":-1,
//                                            "retention_bytes":-1,"compression":"producer"}
//   /gafka/<name>/partitions/<topic>/<p>    {"leader":1,"leader_epoch":0,"replicas":[1,2,3],
//                                            "isr":[1,2,3],"controller_epoch":19}
// Written by the controller, each write a txn that also compares the
// controller key's create revision with the writer's epoch, so a deposed
// controller's write fails; a partition's ISR also by its leader, by
// compare-and-swap on the key's revision. Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/cluster/cluster_view.h"  // topic_record
#include "gafka/cluster/etcd_codec.h"
#include "gafka/cluster/registration.h"
#include "gafka/util/status.h"

namespace gafka::cluster {

struct partition_state {
    std::int32_t leader = -1;
    std::int32_t leader_epoch = 0;
    std::vector<std::int32_t> replicas;  // the first is the preferred leader
    std::vector<std::int32_t> isr;
    revision_t controller_epoch = 0;  // the epoch of the controller that wrote it
};

// The replication factor a topic gets when none is asked for: --replication-factor
// when set (> 0), else min(3, live brokers).
std::int32_t default_replication_factor(std::int32_t configured, std::size_t live_brokers);

// Replicas of `partitions` partitions over `brokers` (live broker ids, any
// order), Kafka-style without racks: brokers sorted, partition p's replicas
// are the `replication_factor` brokers from position (start + p) on, so the
// leaders (first replicas) go round the brokers evenly from `start`. ISR =
// replicas, leader epoch 0. invalid_argument when the factor is below 1 or
// above the number of brokers.
result<std::vector<partition_state>> assign_replicas(std::vector<std::int32_t> brokers, std::int32_t partitions,
                                                     std::int32_t replication_factor, std::uint32_t start);
// A start position that differs from topic to topic (so topics of one
// partition do not all lead on the same broker) and is the same on every try.
std::uint32_t assignment_start(std::string_view topic);

std::string topic_key(const cluster_keys& k, std::string_view topic);
std::string partition_key(const cluster_keys& k, std::string_view topic, std::int32_t partition);
std::string partitions_prefix(const cluster_keys& k);  // "/gafka/<name>/partitions/"
std::string topics_prefix(const cluster_keys& k);      // "/gafka/<name>/topics/"
// "<topic>/<p>" after partitions_prefix, split; invalid_argument if not that.
result<std::pair<std::string, std::int32_t>> parse_partition_key(const cluster_keys& k, std::string_view key);
// "<topic>" after topics_prefix; invalid_argument if not that.
result<std::string> parse_topic_key(const cluster_keys& k, std::string_view key);

std::string encode_topic(const topic_record& t);
result<topic_record> decode_topic(std::string_view json);
std::string encode_partition(const partition_state& p);
result<partition_state> decode_partition(std::string_view json);

// The txn creating a topic: if the controller key's create revision is
// `controller_epoch` and the topic key does not exist, put the topic and
// each partition's state; else read both keys (failure branch: ranges[0]
// the controller key, ranges[1] the topic key) to tell which check failed.
txn_request create_topic_txn(const cluster_keys& k, std::string_view topic, const topic_record& t,
                             const std::vector<partition_state>& partitions, revision_t controller_epoch);
// The txn adding partitions to a topic: if the controller key's create
// revision is `controller_epoch`, the topic key's mod revision is still
// `topic_mod_revision` and no key of the new partitions exists, put
// `grown` (the topic with its new count) and the state of partitions
// first, first+1, ... (`added`); else read the controller key and the
// topic key (failure branch: ranges[0], ranges[1]) to tell which check failed.
txn_request add_partitions_txn(const cluster_keys& k, std::string_view topic, const topic_record& grown,
                               revision_t topic_mod_revision, std::int32_t first,
                               const std::vector<partition_state>& added, revision_t controller_epoch);
// The txn changing one partition's state: compare-and-swap on the key's
// mod revision, guarded by the controller epoch as above.
txn_request update_partition_txn(const cluster_keys& k, std::string_view topic, std::int32_t partition,
                                 const partition_state& next, revision_t mod_revision, revision_t controller_epoch);
// The txn a partition's leader records its ISR with: compare-and-swap on
// the key's mod revision alone (any change by the controller, a new leader
// above all, makes it fail).
txn_request update_isr_txn(const cluster_keys& k, std::string_view topic, std::int32_t partition,
                           const partition_state& next, revision_t mod_revision);
// The txn deleting a topic: if the controller key's create revision is
// `controller_epoch` and the topic key's mod revision is still
// `topic_mod_revision`, delete the topic key and every key under
// partitions/<topic>/ (a range, so a partition key the topic value does not
// count goes too); else read the controller key and the topic key (failure
// branch: ranges[0], ranges[1]) to tell which check failed.
txn_request delete_topic_txn(const cluster_keys& k, std::string_view topic, revision_t topic_mod_revision,
                             revision_t controller_epoch);

}  // namespace gafka::cluster
