#include "gafka/log/sync_gather.h"

#include <algorithm>
#include <cstdint>

namespace gafka::log {

void sync_gather::fsync_done(clock::time_point started, clock::time_point ended, std::size_t answered,
                             std::size_t pending) {
    expected_ = answered + pending;
    auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(ended - started);
    auto wait = std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(took.count()) * options_.fraction));
    deadline_ = ended + std::clamp(wait, std::chrono::nanoseconds(0), options_.max_wait);
}

sync_gather::clock::time_point sync_gather::start_at(std::size_t pending) const {
    if (enough(pending)) return clock::time_point::min();
    return deadline_;
}

}  // namespace gafka::log
