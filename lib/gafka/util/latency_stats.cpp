#include "gafka/util/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gafka::util {

latency_summary latency_stats::summarize() {
    latency_summary s;
    if (samples_.empty()) return s;
    std::sort(samples_.begin(), samples_.end());
    auto rank = [&](double q) {
        auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples_.size())));
        return static_cast<double>(samples_[std::min(samples_.size(), std::max<std::size_t>(i, 1)) - 1]) / 1e6;
    };
    double sum = 0;
    for (auto v : samples_) sum += static_cast<double>(v);
    s.avg = sum / static_cast<double>(samples_.size()) / 1e6;
    s.p50 = rank(0.50);
    s.p95 = rank(0.95);
    s.p99 = rank(0.99);
    s.p999 = rank(0.999);
    s.max = static_cast<double>(samples_.back()) / 1e6;
    auto over = [&](std::int64_t ms) {
        return static_cast<std::size_t>(samples_.end() - std::upper_bound(samples_.begin(), samples_.end(), ms * 1000000));
    };
    s.samples = samples_.size();
    s.over_5ms = over(5);
    s.over_15ms = over(15);
    return s;
}

std::string to_json(const latency_summary& s) {
    char buf[256];
    std::snprintf(buf, sizeof buf, R"({"avg":%.3f,"p50":%.3f,"p95":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f})", s.avg,
                  s.p50, s.p95, s.p99, s.p999, s.max);
    return buf;
}

}  // namespace gafka::util
