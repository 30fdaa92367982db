#pragma once
// Milliseconds, from the two clocks gafka uses: the wall clock for record
// timestamps and retention, the steady clock for timeouts and sessions.
#include <chrono>
#include <cstdint>

namespace gafka::util {

inline std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline std::int64_t steady_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace gafka::util
