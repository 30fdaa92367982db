#pragma once
// gafka-bench's storage benchmarks: appends straight into a partition log
// (no broker, no network) and a timed recovery scan.
#include <cstdint>
#include <filesystem>
#include <iosfwd>

namespace gafka::tools {

struct append_bench_options {
    std::filesystem::path dir;
    std::int64_t messages = 1'000'000;
    std::int64_t size = 1024;
    std::int64_t batch_size = 100;
    std::uint64_t segment_bytes = 128ull << 20;
    bool fsync = false;
    bool crash = false;  // leave without a clean close, as kill -9 would
    bool progress = false;
};

// Prints one JSON summary line to `out`; returns an exit code.
int run_append_bench(const append_bench_options& opts, std::ostream& out, std::ostream& err);
int run_recover_bench(const std::filesystem::path& dir, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
