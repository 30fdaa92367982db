#include "gafka/tools/bench_report.h"

#include <cstdio>
#include <ostream>

namespace gafka::tools {

const char* mode_name(load_mode mode) {
    switch (mode) {
        case load_mode::produce: return "produce";
        case load_mode::consume: return "consume";
        case load_mode::e2e: return "e2e";
    }
    return "?";
}

progress_line::progress_line(bool enabled, std::string label, std::int64_t total,
                             const std::atomic<std::int64_t>& done, std::ostream& err)
    : label_(std::move(label)), total_(total), done_(done), err_(err), start_(std::chrono::steady_clock::now()) {
    if (!enabled) return;
    thread_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; }))
            draw(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    });
}

void progress_line::draw(double seconds) {
    auto done = done_.load(std::memory_order_relaxed);
    char buf[160];
    std::snprintf(buf, sizeof buf, "\rgafka-bench: %s %lld/%lld records, %.0f msg/s   ", label_.c_str(),
                  static_cast<long long>(done), static_cast<long long>(total_),
                  seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
    err_ << buf << std::flush;
}

void progress_line::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    draw(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    err_ << "\n" << std::flush;
}

std::string summary_json(const load_bench_options& opts, load_result& result) {
    auto secs = result.seconds > 0 ? result.seconds : 1e-9;
    auto msgs = static_cast<double>(result.messages);
    char rate[32] = "null";
    if (opts.rate) std::snprintf(rate, sizeof rate, "%.0f", *opts.rate);
    char buf[768];
    std::snprintf(buf, sizeof buf,
                  R"({"mode":"%s","protocol":"%s","topic":"%s","partitions":%d,"messages":%lld,"size":%lld,"batch_size":%d,)"
                  R"("concurrency":%d,"acks":"%s","rate":%s,"seconds":%.3f,"msgs_per_sec":%.0f,"mb_per_sec":%.1f,)"
                  R"("latency_ms":)",
                  mode_name(opts.mode),
                  opts.protocol == bench_protocol::kafka ? "kafka" : "http", result.topic.c_str(), result.partitions,
                  static_cast<long long>(result.messages), static_cast<long long>(opts.size), opts.batch_size,
                  opts.concurrency, opts.acks.c_str(), rate, secs, msgs / secs,
                  msgs * static_cast<double>(opts.size) / 1e6 / secs);
    auto latency = result.latency.summarize();
    auto json = std::string(buf) + util::to_json(latency);
    std::snprintf(buf, sizeof buf, R"(,"samples":%zu,"over_5ms":%zu,"over_15ms":%zu)", latency.samples,
                  latency.over_5ms, latency.over_15ms);
    json += buf;
    if (!result.kafka_settings.empty()) json += R"(,"kafka_settings":")" + result.kafka_settings + "\"";
    return json + "}";
}

}  // namespace gafka::tools
