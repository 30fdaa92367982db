#pragma once
// Long polling: suspend a request until one of some partitions has records
// past a position, or a deadline passes.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/partition.h"

namespace gafka::broker {

struct poll_target {
    broker::partition* partition;
    log::offset_t offset;  // wake once visible_end() passes this
    bool replica = false;  // a follower's fetch: wake once local_end() passes it
};

// The cap on consumer long polls waiting at once (gafka-broker
// --max-long-polls). A consume that finds nothing takes a slot for as long
// as it waits; when none is free it answers at once with what it has, an
// empty batch, as a Kafka fetch with max_wait_ms=0 would: clients just ask
// again, none sees an error. Replica fetches and acks=all waits are not
// counted (a follower must never be shed). Thread-safe.
class long_poll_slots {
public:
    explicit long_poll_slots(std::int64_t limit = 2048) : limit_(limit) {}
    long_poll_slots(const long_poll_slots&) = delete;
    long_poll_slots& operator=(const long_poll_slots&) = delete;

    // Held while a request waits; gives the slot back when destroyed.
    class slot {
    public:
        explicit slot(long_poll_slots& owner) : owner_(&owner) {}
        slot(slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                give_back();
                owner_ = std::exchange(o.owner_, nullptr);
            }
            return *this;
        }
        ~slot() { give_back(); }

    private:
        void give_back() {
            if (owner_) --std::exchange(owner_, nullptr)->waiting_;
        }
        long_poll_slots* owner_;
    };

    // A slot, or nullopt (counted in over_limit()) when `limit` are taken.
    std::optional<slot> try_take();
    void set_limit(std::int64_t limit) { limit_ = limit; }
    std::int64_t limit() const { return limit_; }
    std::int64_t waiting() const { return waiting_; }
    std::int64_t over_limit() const { return over_limit_; }

private:
    std::atomic<std::int64_t> limit_;
    std::atomic<std::int64_t> waiting_{0};
    std::atomic<std::int64_t> over_limit_{0};
};

// Returns at once if a target already has data; otherwise when one gets
// data, the deadline passes, or the partition is closed. Must run on the
// connection's io_context thread (wake-ups are posted there).
boost::asio::awaitable<void> wait_for_any(const std::vector<poll_target>& targets,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace gafka::broker
