#pragma once
// A partition as the broker serves it: its log, the point up to which
// consumers may read, and the long-poll waiters to wake when that moves.
// Thread-safe: called from any io thread; waiters are woken by posting to
// their own executors.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gafka/broker/flush_policy.h"
#include "gafka/log/partition_log.h"

namespace gafka::broker {

using partition_id = std::int32_t;

class partition {
public:
    partition(std::string topic, partition_id id, std::unique_ptr<log::partition_log> log, flush_policy flush);
    // Closes the log first: its destructor waits for syncs in flight, whose
    // callbacks still use this partition's waiters.
    ~partition() { log_.reset(); }

    const std::string& topic() const { return topic_; }
    partition_id id() const { return id_; }
    log::partition_log& log() { return *log_; }
    const log::partition_log& log() const { return *log_; }

    // Appends one batch. Under flush=always the records become visible once
    // fsynced (see when_durable); otherwise at once.
    result<log::append_result> append(std::string batch);
    // Calls `done` once everything before `through` is as durable as the
    // flush policy promises before an acknowledgement.
    void when_durable(log::offset_t through, std::function<void(status)> done);
    // One past the last record consumers may read.
    log::offset_t visible_end() const;

    // Long polling: `wake` is called once, the next time visible_end() moves
    // (or the partition closes). Returns an id for cancel_wait.
    std::uint64_t wait_for_data(std::function<void()> wake);
    void cancel_wait(std::uint64_t id);
    void wake_waiters();

private:
    std::string topic_;
    partition_id id_;
    std::unique_ptr<log::partition_log> log_;
    flush_policy flush_;
    std::mutex mu_;
    std::uint64_t next_waiter_ = 1;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> waiters_;
};

}  // namespace gafka::broker
