#pragma once
// When a log's group-commit loop may start its next fsync.
//
// Closed-loop writers (each waits for its answer before sending its next
// record) split into two cohorts when fsyncs run back to back: those
// answered by one fsync arrive while the next is running, and wait for the
// one after. Eight writers then share an fsync four by four. After an fsync,
// this waits a short, bounded time for the writers just answered to come
// back, so that all of them share the next fsync.
//
// It waits only while fewer writers are pending than were seen around the
// last fsync (the ones it answered plus those that arrived while it ran),
// and only until a multiple of the last fsync's duration after it ended
// (options): a lone writer, or one arriving long after the last fsync, never
// waits.
//
// No clock of its own: the caller passes the times. Not thread safe; the
// log calls it under its mutex.
#include <chrono>
#include <cstddef>

namespace gafka::log {

class sync_gather {
public:
    using clock = std::chrono::steady_clock;

    struct options {
        // The longest wait after an fsync, as a multiple of that fsync's
        // duration (gafka-broker --fsync-gather). The wait ends as soon as
        // the writers expected are pending, so this only bounds how late
        // they may be. On the README's 2-core VM, where HTTP, the writers
        // and the fsync share two cores, the writers just answered come
        // back later than a fast fsync takes: eight of them shared an fsync
        // 5 at a time at 1, 7 at 2, 7.8 at 3, at the same requests a second
        // (fewer fsyncs leave the cores more time for the requests).
        double fraction = 3.0;
        // And never longer than this (0: never wait): an fsync stall is no
        // reason to hold the next one back.
        std::chrono::nanoseconds max_wait = std::chrono::milliseconds(2);
    };

    sync_gather() = default;
    explicit sync_gather(options o) : options_(o) {}

    // An fsync ran from `started` to `ended`, released `answered` waiters,
    // and `pending` more arrived meanwhile (they wait for the next one).
    void fsync_done(clock::time_point started, clock::time_point ended, std::size_t answered, std::size_t pending);

    // With `pending` waiters: the time from which the next fsync may start
    // (at or before now: start it now).
    clock::time_point start_at(std::size_t pending) const;

    // `pending` waiters are all the last fsync saw: no reason to wait.
    bool enough(std::size_t pending) const { return pending >= expected_; }

private:
    options options_;
    std::size_t expected_ = 0;
    clock::time_point deadline_{};  // the end of the wait after the last fsync
};

}  // namespace gafka::log
