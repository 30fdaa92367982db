#pragma once
// The client's view of the cluster, after Kafka's Metadata + Cluster: which
// brokers exist, who is controller, who leads each partition, who coordinates
// each group, and when that view is due for a refresh.
//
// Pure state: no I/O, no threads, no clock. Every time-dependent call takes
// `now_ms` (any monotonic millisecond clock, the same one on every call). The
// owner runs the refresh loop:
//
//   if (md.needs_refresh(now)) {
//       auto body = fetch("/api/v1/metadata" from one of md.brokers_to_try());
//       auto snap = body ? parse_metadata_json(*body) : error;
//       if (snap.ok()) md.update(std::move(*snap), now); else md.failed_refresh(now);
//   }
//   sleep up to md.time_to_next_refresh(now)
//
// Thread affinity: not thread-safe. The owner serializes every call (the
// programs use it from one thread); listeners run on the caller of update().
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/log/record.h"
#include "gafka/util/status.h"

namespace gafka::client {

// A broker's id as the cluster knows it; partition number within a topic.
using broker_id_t = std::int32_t;
using partition_id_t = std::int32_t;
using log::epoch_t;

// "No broker": a bootstrap broker not known by id, a partition without a
// leader, a cluster without a controller.
inline constexpr broker_id_t no_broker = -1;

struct broker_address {
    broker_id_t id = no_broker;
    std::string host;  // IPv6 literals without brackets ("::1")
    std::uint16_t port = 0;
    bool operator==(const broker_address&) const = default;
};

struct partition_metadata {
    partition_id_t partition = 0;
    broker_id_t leader = no_broker;
    epoch_t leader_epoch = 0;
    std::vector<broker_id_t> replicas;
    std::vector<broker_id_t> isr;
    bool operator==(const partition_metadata&) const = default;
};

struct topic_metadata {
    std::string name;
    std::vector<partition_metadata> partitions;
    bool operator==(const topic_metadata&) const = default;
};

// One answer of a broker's /api/v1/metadata. Broker ids, topic names and
// partition numbers are each unique (parse_metadata_json guarantees it; a
// hand-built snapshot must keep it).
struct metadata_snapshot {
    std::vector<broker_address> brokers;
    broker_id_t controller_id = no_broker;
    std::vector<topic_metadata> topics;
    std::map<std::string, broker_id_t> group_coordinators;
    // The answer has a "cluster" object: the brokers are an etcd cluster's
    // (docs/cluster.md), each the home of its own groups and unrecorded topics.
    bool in_cluster = false;
    // Its "session_timeout_ms" (0 when absent): a lost broker's partitions
    // have a new leader within about twice this.
    std::int64_t cluster_session_timeout_ms = 0;
};

// Parses the /api/v1/metadata body:
//   {"brokers":[{"id":1,"host":"127.0.0.1","port":9001}],"controller_id":1,
//    "topics":[{"name":"t","partitions":[{"partition":0,"leader":1,
//               "leader_epoch":0,"replicas":[1,2],"isr":[1]}]}],
//    "group_coordinators":{"g":1}}
// Every field is required except group_coordinators (and "cluster", of which
// only its presence is read). controller_id, leader and a coordinator may be
// -1 (none); ports are 1..65535; ids, partitions and epochs fit int32.
// Anything else, duplicates included, is invalid_argument.
result<metadata_snapshot> parse_metadata_json(std::string_view body);

// Parses "HOST:PORT[,HOST:PORT...]" (spaces around entries ignored, IPv6 as
// "[::1]:9001") into brokers with id -1. Rejects an empty list or entry, an
// empty host, and a port that is missing, not a number, 0 or above 65535.
result<std::vector<broker_address>> parse_bootstrap(std::string_view list);

enum class leader_state { unknown_topic_or_partition, no_leader, known };

struct leader_lookup {
    leader_state state = leader_state::unknown_topic_or_partition;
    std::optional<broker_address> leader;  // set iff state == known
    epoch_t leader_epoch = 0;              // meaningful unless unknown
};

struct partition_count_change {
    std::string topic;
    std::int32_t old_count = 0;
    std::int32_t new_count = 0;
};

struct leader_change {
    std::string topic;
    partition_id_t partition = 0;
    broker_id_t old_leader = no_broker;
    broker_id_t new_leader = no_broker;
};

// What one update() changed. Lists are sorted by topic, then partition.
// leaders_changed covers partitions present before and after; a partition
// that appears or disappears shows up as a partition count change instead.
struct metadata_change {
    std::vector<std::string> topics_added;
    std::vector<std::string> topics_removed;
    std::vector<partition_count_change> partition_counts_changed;
    std::vector<leader_change> leaders_changed;
    bool brokers_changed = false;  // any id, host or port (bootstrap not counted)
    bool controller_changed = false;
    bool group_coordinators_changed = false;
    bool empty() const;
};

struct cluster_metadata_options {
    std::int64_t max_age_ms = 300'000;      // refresh at least this often
    std::int64_t refresh_backoff_ms = 100;  // min gap between attempts
};

class cluster_metadata {
public:
    using listener = std::function<void(const metadata_change&)>;

    explicit cluster_metadata(std::vector<broker_address> bootstrap,
                              cluster_metadata_options options = {});

    // Replaces the whole view with `snapshot`, bumps version(), records a
    // successful attempt at now_ms and clears a pending request_refresh().
    // Listeners then run, after the new state is in place, if anything changed.
    void update(metadata_snapshot snapshot, std::int64_t now_ms);
    // Records an attempt that got no answer: the state stays, backoff starts.
    void failed_refresh(std::int64_t now_ms);

    // --- refresh scheduling ---
    // True when a refresh is due (never updated, older than max_age_ms, or
    // requested) and refresh_backoff_ms has passed since the last attempt.
    bool needs_refresh(std::int64_t now_ms) const;
    // Milliseconds until needs_refresh() turns true; 0 means now.
    std::int64_t time_to_next_refresh(std::int64_t now_ms) const;
    // Asks for a refresh at once (still subject to backoff), e.g. after a 421
    // "not leader" or an unknown partition. Returns the current version: to
    // wait for the next refresh, keep it and poll refreshed_since(it) from the
    // owner's loop, which does the I/O.
    std::uint64_t request_refresh();
    bool refresh_requested() const { return refresh_requested_; }
    // Bumped by every update(); 0 before the first.
    std::uint64_t version() const { return version_; }
    bool refreshed_since(std::uint64_t version) const { return version_ > version; }
    bool has_metadata() const { return version_ > 0; }
    std::optional<std::int64_t> last_refresh_ms() const { return last_success_ms_; }

    // --- the view ---
    // Known brokers sorted by id, or the bootstrap list before the first update.
    const std::vector<broker_address>& brokers() const;
    // Where to send a request that no partition leader has to take: known
    // brokers, or the bootstrap list when none are known; never empty unless
    // the bootstrap list was. In a cluster, the bootstrap brokers come first
    // (as given, then the other known ones): groups and topics not recorded
    // in etcd live on the broker that serves them, so a program keeps to
    // the broker it was given while that one answers.
    std::vector<broker_address> brokers_to_try() const;
    std::optional<broker_address> broker(broker_id_t id) const;
    std::optional<broker_address> controller() const;
    // How long a failover may take in the cluster these brokers form, by
    // their last answer: twice its session timeout (a change of etcd's own
    // leader renews every lease once more) plus 2 s. Zero outside a cluster.
    std::chrono::milliseconds failover_window() const;
    std::optional<broker_address> group_coordinator(std::string_view group) const;
    // Topic names, sorted.
    std::vector<std::string> topics() const;
    // The topic with partitions sorted by number. Valid until the next update().
    const topic_metadata* find_topic(std::string_view topic) const;
    std::optional<std::int32_t> partition_count(std::string_view topic) const;
    // A leader id missing from the broker list counts as no leader, since
    // there is no address to send to.
    leader_lookup leader_for(std::string_view topic, partition_id_t partition) const;
    // Partitions (sorted) whose leader is known, like Kafka's
    // availablePartitionsForTopic; empty for an unknown topic.
    std::vector<partition_id_t> available_partitions(std::string_view topic) const;

    // --- listeners ---
    // Returns an id for remove_listener(). A listener may add or remove
    // listeners (itself included); one removed mid-notification is not called,
    // one added mid-notification first hears of the next change.
    int add_listener(listener fn);
    bool remove_listener(int id);

private:
    // Invariant: brokers sorted by id; each topic's partitions sorted.
    struct view {
        std::vector<broker_address> brokers;
        broker_id_t controller_id = no_broker;
        std::map<std::string, topic_metadata, std::less<>> topics;
        std::map<std::string, broker_id_t, std::less<>> group_coordinators;
        bool in_cluster = false;
        std::int64_t cluster_session_timeout_ms = 0;
    };
    static metadata_change diff(const view& before, const view& after);
    void notify(const metadata_change& change);

    std::vector<broker_address> bootstrap_;
    cluster_metadata_options options_;
    view view_;
    std::uint64_t version_ = 0;
    std::optional<std::int64_t> last_success_ms_;
    std::optional<std::int64_t> last_attempt_ms_;  // success or failure
    bool refresh_requested_ = false;
    std::map<int, listener> listeners_;
    int next_listener_id_ = 1;
};

}  // namespace gafka::client
