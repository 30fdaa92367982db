#include "gafka/tools/bench_storage.h"

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>

#include "gafka/log/partition_log.h"
#include "gafka/util/latency_stats.h"

namespace gafka::tools {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// A printable payload, so --dump of a bench log reads well.
std::string payload(std::int64_t size) {
    std::string s(static_cast<std::size_t>(size), 'x');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

}  // namespace

int run_append_bench(const append_bench_options& opts, std::ostream& out, std::ostream& err) {
    log::log_options lo;
    lo.segment_bytes = opts.segment_bytes;
    auto opened = log::partition_log::open(opts.dir, lo);
    if (!opened.ok()) {
        err << "gafka-bench: error: " << opened.error().message() << "\n";
        return 1;
    }
    auto& log = **opened;
    const auto value = payload(opts.size);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    util::latency_stats latency;
    latency.reserve(static_cast<std::size_t>(opts.messages / opts.batch_size + 1));
    log::batch_builder builder;
    auto t0 = clock_type::now();
    std::int64_t sent = 0;
    while (sent < opts.messages) {
        auto n = std::min(opts.batch_size, opts.messages - sent);
        auto b0 = clock_type::now();
        builder.reserve(static_cast<std::size_t>(n) * log::encoded_record_size(std::nullopt, value, {}));
        for (std::int64_t i = 0; i < n; ++i) builder.add(now_ms, std::nullopt, value);
        auto appended = log.append(builder.finish());
        if (!appended.ok()) {
            err << "gafka-bench: error: " << appended.error().message() << "\n";
            return 1;
        }
        if (opts.fsync)
            if (auto s = log.sync(appended->last_offset + 1); !s.ok()) {
                err << "gafka-bench: error: " << s.message() << "\n";
                return 1;
            }
        latency.add_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - b0).count());
        sent += n;
        if (opts.progress && latency.count() % 1000 == 0)
            err << "\rgafka-bench: " << sent << "/" << opts.messages << " records" << std::flush;
    }
    auto secs = seconds_since(t0);
    if (opts.progress) err << "\n";
    if (!opts.crash)
        if (auto s = log.close(); !s.ok()) {
            err << "gafka-bench: error: " << s.message() << "\n";
            return 1;
        }
    auto mb = static_cast<double>(opts.messages) * static_cast<double>(opts.size) / 1e6;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  R"({"mode":"append","messages":%lld,"size":%lld,"batch_size":%lld,"fsync":%s,"seconds":%.3f,)"
                  R"("msgs_per_sec":%.0f,"mb_per_sec":%.1f,"latency_ms":)",
                  static_cast<long long>(opts.messages), static_cast<long long>(opts.size),
                  static_cast<long long>(opts.batch_size), opts.fsync ? "true" : "false", secs,
                  static_cast<double>(opts.messages) / secs, mb / secs);
    out << buf << util::to_json(latency.summarize()) << "}\n";
    return 0;
}

int run_recover_bench(const std::filesystem::path& dir, std::ostream& out, std::ostream& err) {
    if (!std::filesystem::is_directory(dir)) {
        err << "gafka-bench: error: " << dir.string() << " is not a directory\n";
        return 1;
    }
    auto t0 = clock_type::now();
    auto opened = log::partition_log::open(dir);
    auto secs = seconds_since(t0);
    if (!opened.ok()) {
        err << "gafka-bench: error: " << opened.error().message() << "\n";
        return 1;
    }
    const auto& r = (*opened)->recovery();
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  R"({"mode":"recover","bytes_scanned":%llu,"records":%lld,"truncated_bytes":%llu,"seconds":%.3f,)"
                  R"("mb_per_sec":%.1f})",
                  static_cast<unsigned long long>(r.bytes_scanned), static_cast<long long>(r.records_scanned),
                  static_cast<unsigned long long>(r.truncated_bytes), secs,
                  static_cast<double>(r.bytes_scanned) / 1e6 / secs);
    out << buf << "\n";
    return 0;
}

}  // namespace gafka::tools
