#pragma once
// A latency histogram with fixed bucket bounds, for /metrics: observe() is
// lock-free (atomic counters), snapshot() gives Prometheus's cumulative
// buckets, sum and count. A snapshot taken while observations land may be a
// few observations apart between buckets and count; it is never
// non-cumulative (buckets are summed from one read of each counter).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace gafka::util {

struct histogram_snapshot {
    std::vector<double> bounds;              // upper bounds in seconds, ascending; +Inf is implied
    std::vector<std::uint64_t> cumulative;  // observations <= bounds[i]; one more entry: +Inf (== count)
    double sum = 0;                          // seconds
    std::uint64_t count = 0;
};

class histogram {
public:
    // 100 us .. 10 s, roughly x2.5 apart: request and fsync latencies.
    static constexpr std::size_t bucket_count = 15;
    static constexpr std::array<double, bucket_count> bounds = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

    void observe(std::chrono::nanoseconds d);
    void observe_seconds(double seconds);
    histogram_snapshot snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, bucket_count + 1> counts_{};  // last: above every bound
    std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace gafka::util
