#pragma once
// The fetch path of the broker core, whichever protocol a fetch came in by:
// the offsets a consumer may start at or commit, reading whole batches up
// to the high watermark, and the long poll that waits for data across
// partitions until a deadline (with --max-long-polls slots).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/core.h"

namespace gafka::broker {

// out_of_range, naming topic/partition and the range, when `offset` is
// outside [log start, log end]: where a consumer may start reading (at the
// end it waits for the next record).
status check_fetch_offset(const partition& p, log::offset_t offset);
// out_of_range when `offset` is outside [log start, high watermark]: what a
// group may commit. Past the high watermark the group would wait for records
// that never come while its lag shows 0; before the start they are gone.
status check_commit_offset(const partition& p, log::offset_t offset);

// Whole batches, as stored, from the one holding `offset` (it may start
// before it) up to about `max_bytes` (always the first batch whole, however
// large), none at or past the high watermark. Empty when there is nothing
// new. Errors as partition_log::read (out_of_range, corruption, io_error).
result<log::read_result> read_batches(const partition& p, log::offset_t offset, std::size_t max_bytes);
// The same batches as a range of a segment file, sent without copying
// (log::partition_log::read_range).
result<log::file_range> read_batch_range(const partition& p, log::offset_t offset, std::size_t max_bytes);

// One fetch's wait for data (HTTP's timeout, Kafka's max_wait_ms). The
// first wait takes a --max-long-polls slot and keeps it until the fetch
// ends; when none is free the fetch answers at once with what it has, as
// a Kafka fetch with max_wait_ms=0 would: clients just ask again. Lives on
// the fetch's coroutine; the core outlives it.
class fetch_wait {
public:
    fetch_wait(core& c, std::chrono::steady_clock::time_point deadline) : slots_(c.long_polls), deadline_(deadline) {}

    // Waits until one of `targets` has data past its offset, `until` (at
    // most the deadline) passes, or a partition closes. False, at once, when
    // the fetch should answer with what it has: the deadline passed, or no
    // slot was free.
    boost::asio::awaitable<bool> wait(const std::vector<poll_target>& targets,
                                      std::optional<std::chrono::steady_clock::time_point> until = std::nullopt);
    std::chrono::steady_clock::time_point deadline() const { return deadline_; }

private:
    long_poll_slots& slots_;
    std::chrono::steady_clock::time_point deadline_;
    std::optional<long_poll_slots::slot> slot_;
};

}  // namespace gafka::broker
