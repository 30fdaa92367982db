#pragma once
// Long polling: suspend a request until one of some partitions has records
// past a position, or a deadline passes.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/partition.h"

namespace gafka::http {

struct poll_target {
    broker::partition* partition;
    log::offset_t offset;  // wake once visible_end() passes this
    bool replica = false;  // a follower's fetch: wake once local_end() passes it
};

// Returns at once if a target already has data; otherwise when one gets
// data, the deadline passes, or the partition is closed. Must run on the
// connection's io_context thread (wake-ups are posted there).
boost::asio::awaitable<void> wait_for_any(const std::vector<poll_target>& targets,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace gafka::http
