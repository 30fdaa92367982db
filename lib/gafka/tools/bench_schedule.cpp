#include "gafka/tools/bench_schedule.h"

#include <algorithm>
#include <cmath>

namespace gafka::tools {

open_loop_schedule::open_loop_schedule(std::int64_t total, std::optional<double> rate_per_sec)
    : total_(total), period_ns_(rate_per_sec && *rate_per_sec > 0 ? 1e9 / *rate_per_sec : 0) {}

std::int64_t open_loop_schedule::intended_ns(std::int64_t i) const {
    return static_cast<std::int64_t>(static_cast<double>(i) * period_ns_);
}

std::int64_t open_loop_schedule::due_by(std::int64_t elapsed_ns) const {
    if (!open_loop()) return total_;
    if (elapsed_ns < 0) return 0;
    // An estimate, then corrected so that it agrees exactly with intended_ns.
    auto n = static_cast<std::int64_t>(std::floor(static_cast<double>(elapsed_ns) / period_ns_)) + 1;
    n = std::clamp<std::int64_t>(n, 0, total_);
    while (n < total_ && intended_ns(n) <= elapsed_ns) ++n;
    while (n > 0 && intended_ns(n - 1) > elapsed_ns) --n;
    return n;
}

std::vector<std::int32_t> partitions_of_worker(int worker, int workers, std::int32_t partitions) {
    std::vector<std::int32_t> out;
    if (workers >= partitions) {
        out.push_back(worker % partitions);
        return out;
    }
    for (std::int32_t p = worker; p < partitions; p += workers) out.push_back(p);
    return out;
}

std::vector<std::int64_t> split_reads(std::int64_t messages, const std::vector<std::int64_t>& available) {
    std::vector<std::int64_t> take(available.size(), 0);
    auto left = messages;
    // Rounds of an even share over the partitions that still have records.
    while (left > 0) {
        std::int64_t open = 0;
        for (std::size_t p = 0; p < available.size(); ++p) open += take[p] < available[p];
        if (open == 0) break;
        auto share = std::max<std::int64_t>(1, left / open);
        for (std::size_t p = 0; p < available.size() && left > 0; ++p) {
            auto n = std::min({share, available[p] - take[p], left});
            take[p] += n;
            left -= n;
        }
    }
    return take;
}

}  // namespace gafka::tools
