#pragma once
// What gafka-bench's load modes print: the progress line on stderr while a
// run goes on, and the one JSON summary line on stdout at the end.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>

#include "gafka/tools/bench_options.h"
#include "gafka/util/latency_stats.h"

namespace gafka::tools {

// Redraws "gafka-bench: LABEL N/TOTAL records, R msg/s" on one line of `err`
// a few times a second from its own thread while it lives, reading `done`
// (which the workers advance); a final newline when stopped. Does nothing
// when `enabled` is false (stderr not a terminal).
class progress_line {
public:
    progress_line(bool enabled, std::string label, std::int64_t total, const std::atomic<std::int64_t>& done,
                  std::ostream& err);
    ~progress_line() { stop(); }
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;
    void stop();

private:
    void draw(double seconds);

    std::string label_;
    std::int64_t total_;
    const std::atomic<std::int64_t>& done_;
    std::ostream& err_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

struct load_result {
    std::string topic;
    std::int32_t partitions = 0;
    std::int64_t messages = 0;
    double seconds = 0;
    util::latency_stats latency;
    std::string kafka_settings;  // e2e over Kafka: the latency settings in effect (bench_kafka_client.h)
};

// {"mode","protocol","topic","partitions","messages","size","batch_size","concurrency",
//  "acks","rate","seconds","msgs_per_sec","mb_per_sec","latency_ms":{...}}, and
// "kafka_settings" last when the result names them.
std::string summary_json(const load_bench_options& opts, load_result& result);

const char* mode_name(load_mode mode);

}  // namespace gafka::tools
