#pragma once
// Latency samples and the summary gafka-bench prints.
#include <cstdint>
#include <string>
#include <vector>

namespace gafka::util {

struct latency_summary {
    double avg = 0, p50 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
    // How many samples there were, and how many took longer than 5 and 15
    // ms (the e2e targets' p99 and p99.9 bounds): the tail's size, not just its edge.
    std::size_t samples = 0, over_5ms = 0, over_15ms = 0;
};

class latency_stats {
public:
    void reserve(std::size_t n) { samples_.reserve(n); }
    void add_ns(std::int64_t ns) { samples_.push_back(ns); }
    std::size_t count() const { return samples_.size(); }
    // Nearest-rank percentiles; sorts the samples.
    latency_summary summarize();

private:
    std::vector<std::int64_t> samples_;
};

// {"avg":..,"p50":..,...} with three decimals.
std::string to_json(const latency_summary& s);

}  // namespace gafka::util
