#pragma once
// A partition as the broker serves it: its log, its place in replication
// (leader or follower, leader epoch, in-sync replicas, high watermark), the
// point up to which consumers may read, and the long-poll waiters to wake
// when that moves.
//
// Two ends matter: local_end() is what this broker holds as durably as its
// flush policy promises (what followers may copy); visible_end() is the high
// watermark, what consumers may read. A leader without in-sync followers has
// them equal, as a single broker always did.
// Invariant: visible_end() <= local_end() <= log().log_end_offset().
//
// Thread-safe: called from any io thread and the replica fetcher; waiters
// are woken by posting to their own executors. Lock order: the partition's
// state lock, then the log's.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gafka/broker/flush_policy.h"
#include "gafka/log/compression.h"
#include "gafka/log/partition_log.h"
#include "gafka/replication/isr_state.h"
#include "gafka/replication/leader_epoch_cache.h"

namespace gafka::replication {
class replication_state;
}

namespace gafka::broker {

using partition_id = std::int32_t;
using replication::replica_id;

// What metadata and metrics report about a partition's replicas.
struct replica_snapshot {
    bool leader = true;
    log::epoch_t leader_epoch = 0;
    log::offset_t log_start = 0;
    log::offset_t log_end = 0;
    log::offset_t high_watermark = 0;
    std::vector<replica_id> isr;
    std::vector<replication::follower_state> followers;  // on a leader
    log::offset_t leader_log_end = 0;                    // on a follower: as the leader last said
};

// Who is in sync, and at which term: what a leader's ISR proposal needs
// (server/cluster_replicas), without the rest of a replica_snapshot.
struct isr_snapshot {
    bool leader = true;
    log::epoch_t leader_epoch = 0;
    std::vector<replica_id> isr;  // as replica_snapshot::isr
};

class partition {
public:
    // `repl` (may be null: a lone leader at epoch 0) outlives the partition.
    // `codec`: the topic's compression; every batch append() takes is stored
    // with it (nothing: as it came).
    partition(std::string topic, partition_id id, std::unique_ptr<log::partition_log> log, flush_policy flush,
              const replication::replication_state* repl = nullptr, std::optional<log::codec> codec = std::nullopt);
    // Closes the log first: its destructor waits for syncs in flight, whose
    // callbacks still use this partition's waiters.
    ~partition() { log_.reset(); }

    const std::string& topic() const { return topic_; }
    partition_id id() const { return id_; }
    log::partition_log& log() { return *log_; }
    const log::partition_log& log() const { return *log_; }

    // Appends one batch stamped with the leader epoch, first rewritten with
    // the topic's codec when it has another (`batch` passed check_batch,
    // as built by batch_builder or checked by a protocol handler). Under flush=always the
    // records reach followers and consumers once fsynced (see when_durable);
    // otherwise at once. A lent batch (log::batch_bytes) is written from
    // the caller's bytes, restamped there, unless it is rewritten.
    result<log::append_result> append(log::batch_bytes batch);
    // Calls `done` once everything before `through` is as durable as the
    // flush policy promises before an acknowledgement.
    void when_durable(log::offset_t through, std::function<void(status)> done);
    log::offset_t local_end() const;
    // One past the last record consumers may read: the high watermark.
    log::offset_t visible_end() const;

    // --- leading ---
    bool is_leader() const;
    log::epoch_t leader_epoch() const;
    // Fewer in-sync replicas than --min-insync: acks=all is refused.
    bool enough_insync() const;
    std::int32_t isr_size() const;
    // A follower's fetch from `position`: its position report.
    void follower_fetched(replica_id id, log::offset_t position, std::int64_t now_ms);
    // Drops followers that fell behind or went silent; wakes waiters if so.
    void expire_followers(std::int64_t now_ms);
    // Kafka's OffsetsForLeaderEpoch on this log.
    replication::epoch_end end_offset_for(log::epoch_t epoch) const;
    // A manual promotion (replication/promotion.h): lead_in_cluster with no
    // ISR, so it leads alone in sync, everything it holds committed.
    status become_leader(log::epoch_t epoch);
    // In a cluster (server/cluster_replicas.h): leads at the partition key's
    // `epoch` from the current log end, with `isr` (the key's) in sync from
    // the start: acks=all waits for them until they fetch or expire.
    status lead_in_cluster(log::epoch_t epoch, const std::vector<replica_id>& isr, std::int64_t now_ms);
    // In a cluster, leading: the key's ISR changed at the same epoch (this
    // leader's own proposal written, as a rule). Recorded members hold the
    // high watermark back (replication/isr_state.h).
    void set_recorded_isr(const std::vector<replica_id>& isr, std::int64_t now_ms);
    // In a cluster, and on a --role follower from its leader's answers
    // (replication/replica_fetcher.h): follows broker `leader` (-1: none
    // known) at `epoch`, reachable at `leader_at` ("host:port", empty: not
    // known); appends are refused from now on.
    void follow_in_cluster(log::epoch_t epoch, replica_id leader, std::string leader_at);
    // Who leads it, when this broker follows it (follow_in_cluster): the id and
    // "host:port" (nullopt: it leads, or no leader is known).
    std::optional<std::pair<replica_id, std::string>> leader_hint() const;

    // --- following ---
    std::optional<log::epoch_t> latest_epoch() const;
    // Appends whole batches copied from the leader at the leader's offsets
    // (a batch this log already holds is skipped). Returns the new log end.
    result<log::offset_t> append_replicated(std::string_view batches);
    // Cuts the log at `offset`, rounded down to a batch boundary, and
    // forgets the epochs past it. Returns where it cut.
    result<log::offset_t> truncate_replica(log::offset_t offset);
    // The leader says this log diverges from its own past `leader_answer`:
    // cuts it where replication::truncation_offset says. Returns the new end.
    result<log::offset_t> truncate_divergent(replication::epoch_end leader_answer);
    // The leader's high watermark, log end and in-sync set, from a fetch answer.
    void leader_said(log::offset_t high_watermark, log::offset_t log_end, std::vector<replica_id> isr);

    replica_snapshot snapshot() const;
    isr_snapshot in_sync() const;

    // Long polling: `wake` is called once, the next time visible_end() or
    // local_end() moves (or the partition closes). Returns an id for cancel_wait.
    std::uint64_t wait_for_data(std::function<void()> wake);
    void cancel_wait(std::uint64_t id);
    void wake_waiters();

private:
    log::offset_t hw_locked() const;
    status ensure_epoch_locked(log::epoch_t epoch, log::offset_t start);

    std::string topic_;
    partition_id id_;
    std::unique_ptr<log::partition_log> log_;
    flush_policy flush_;
    const replication::replication_state* repl_;
    const std::optional<log::codec> codec_;

    mutable std::mutex state_mu_;
    bool leader_ = true;
    log::epoch_t epoch_ = 0;
    replication::leader_epoch_cache epochs_;
    mutable replication::isr_state isr_;
    log::offset_t leader_hw_ = 0;  // following: the leader's, as last said
    log::offset_t leader_end_ = 0;
    std::vector<replica_id> leader_isr_;
    replica_id leader_id_ = -1;  // following in a cluster
    std::string leader_at_;

    std::mutex mu_;  // waiters
    std::uint64_t next_waiter_ = 1;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> waiters_;
};

}  // namespace gafka::broker
