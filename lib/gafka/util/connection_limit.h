#pragma once
// gafka-broker's --max-connections, one count shared by its listeners (HTTP
// and Kafka): a client past the limit is refused whichever port it came on.
// Each listener takes a place as it accepts a connection and gives it back
// when the connection ends. Thread-safe: the listeners' acceptors and their
// connections' threads call it.
#include <atomic>
#include <cstdint>

namespace gafka::util {

class connection_limit {
public:
    explicit connection_limit(std::int64_t max) : max_(max) {}
    // Takes a place; false, with nothing taken, when `max` are open.
    [[nodiscard]] bool try_acquire() {
        auto n = open_.load();
        while (n < max_)
            if (open_.compare_exchange_weak(n, n + 1)) return true;
        return false;
    }
    void release() { open_.fetch_sub(1); }
    std::int64_t open() const { return open_.load(); }
    std::int64_t max() const { return max_; }

private:
    const std::int64_t max_;
    std::atomic<std::int64_t> open_{0};
};

}  // namespace gafka::util
