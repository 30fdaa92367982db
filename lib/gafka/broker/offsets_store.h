#pragma once
// Where committed group offsets live. Each commit is one record, key
// "group\ntopic\npartition", value the offset in decimal ("-1": deleted);
// replaying the log rebuilds the latest offsets. Names cannot contain '\n'
// (names.h), so the key splits unambiguously. Two backends, one encoding:
//
// - local (open()): a log-structured partition log under
//   <data-dir>/groups/offsets (not a topic: clients never see it), replayed
//   on start; a standalone broker's, always the coordinator of its groups;
// - replicated (in_topic()): partition 0 of the internal topic
//   __consumer_offsets of a cluster (docs/cluster.md, "Group offsets").
//   Commits are appended where this broker leads it, stamped with the
//   leader epoch, and sync_async waits until every in-sync replica has them
//   (the high watermark passed them: acks=all). The broker coordinates
//   groups while it leads that partition: take_over() rebuilds the
//   committed offsets from the partition's log before it serves again,
//   hand_off() forgets them.
// Thread-safe (partition_log and partition are).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/group_coordinator.h"
#include "gafka/log/partition_log.h"

namespace gafka::broker {

class partition;
class topic_manager;

// Whether this broker serves group calls now.
enum class coordinator_state {
    serving,          // it is the groups' coordinator, its offsets loaded
    not_coordinator,  // another broker (or none yet) leads the offsets partition
    loading,          // it leads it, and is replaying its log
};

class offsets_store {
public:
    static result<std::unique_ptr<offsets_store>> open(const std::filesystem::path& data_dir,
                                                       log::log_options options);
    // The replicated backend over `topics`' partition 0 of
    // rules::offsets_topic (which may not exist yet); starts not_coordinator.
    static std::unique_ptr<offsets_store> in_topic(topic_manager& topics);

    bool replicated() const { return topics_ != nullptr; }
    coordinator_state state() const { return state_.load(); }

    // Calls `visit` for every commit in log order (replicated: up to the
    // partition's log end).
    using visitor = std::function<void(const std::string&, const topic_partition&, log::offset_t)>;
    status replay(const visitor& visit) const;
    // Appends one commit; durable (replicated: on every in-sync replica)
    // after wait_committed. Replicated: not_leader where this broker does not
    // lead the partition, not_enough_replicas when its ISR is short of
    // --min-insync.
    result<log::offset_t> append(const std::string& group, const topic_partition& tp, log::offset_t offset);
    // Waits until everything before `through` is committed: fsynced
    // (local), or as durable as the flush policy promises and below the high
    // watermark (replicated, as an acks=all produce; not_leader when the
    // leadership moved meanwhile, timed_out after produce_path's
    // max_replication_wait). On the caller's executor.
    boost::asio::awaitable<status> wait_committed(log::offset_t through);
    // Local: starts an fsync through `through` (no wait); replicated: nothing.
    void sync_async(log::offset_t through, std::function<void(status)> done);
    status sync();
    log::offset_t log_end() const;
    status close();

    // Replicated: this broker now leads the offsets partition. Drops every
    // group of `groups` (membership is not replicated: members join again),
    // restores the committed offsets from the partition's log, then serves.
    status take_over(group_coordinator& groups);
    // Replicated: another broker leads it now: not_coordinator, groups dropped.
    void hand_off(group_coordinator& groups);

private:
    explicit offsets_store(std::unique_ptr<log::partition_log> log) : log_(std::move(log)) {}
    explicit offsets_store(topic_manager& topics) : topics_(&topics) { state_ = coordinator_state::not_coordinator; }
    // Replicated: the offsets partition and the topic holding it alive.
    std::pair<std::shared_ptr<const void>, partition*> offsets_partition() const;

    std::unique_ptr<log::partition_log> log_;  // local
    topic_manager* topics_ = nullptr;          // replicated
    std::atomic<coordinator_state> state_{coordinator_state::serving};
};

}  // namespace gafka::broker
