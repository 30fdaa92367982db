#include "gafka/util/histogram.h"

#include <algorithm>
#include <cmath>

namespace gafka::util {

void histogram::observe(std::chrono::nanoseconds d) {
    auto ns = std::max<std::int64_t>(0, d.count());
    auto seconds = static_cast<double>(ns) / 1e9;
    auto i = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

void histogram::observe_seconds(double seconds) {
    if (!(seconds > 0)) seconds = 0;  // NaN and negatives count as 0
    seconds = std::min(seconds, 1e9);
    observe(std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9))));
}

histogram_snapshot histogram::snapshot() const {
    histogram_snapshot s;
    s.bounds.assign(bounds.begin(), bounds.end());
    std::uint64_t running = 0;
    for (const auto& c : counts_) {
        running += c.load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

}  // namespace gafka::util
