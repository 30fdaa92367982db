#pragma once
// Options of gafka-bench's broker load modes (produce, consume, e2e), their
// CLI11 flags and the checks CLI11 cannot express.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gafka::tools {

enum class load_mode { produce, consume, e2e };
// http: the broker's HTTP/JSON API (gafka's own client); kafka: its Kafka
// port through librdkafka (bench_kafka.h).
enum class bench_protocol { http, kafka };

struct load_bench_options {
    load_mode mode = load_mode::produce;
    bench_protocol protocol = bench_protocol::http;
    std::string brokers = "localhost:9001";  // with kafka and no --broker: localhost:9092
    std::string http_only_flag;  // a flag given that --protocol kafka cannot honour
    std::string topic;  // empty: default_topic(partitions)
    std::int64_t messages = 1'000'000;
    std::int64_t size = 1024;           // bytes per record value
    std::int32_t partitions = 1;        // of the topic it creates when missing
    int batch_size = 100;               // records per produce request / fetch
    int concurrency = 1;                // connections (requests in flight)
    std::string acks = "all";
    bool idempotence = true;            // each connection an idempotent producer
    std::vector<std::string> kafka_options;  // -X KEY=VALUE: librdkafka settings, applied last
    std::optional<double> rate;         // msg/s, open loop; none: as fast as acks come
    bool progress = false;              // a progress line on stderr
    std::chrono::milliseconds timeout{30'000};  // per request
};

// The topic used without --topic: one per partition count, so a rerun finds
// the topic it created with the same layout.
std::string default_topic(std::int32_t partitions);

// Adds the load flags of `mode` to a subcommand writing into `opts`.
void add_load_options(CLI::App& sub, load_bench_options& opts, load_mode mode);

// What CLI11's per-flag checks cannot see; a message when the options do not
// make a runnable benchmark (a usage error), nullopt when they do.
std::optional<std::string> check_load_options(const load_bench_options& opts);

// Checks the options (exit 2 with a message on `err` when they do not make
// a runnable benchmark), runs the mode and prints its JSON summary line on
// `out`; returns the exit code.
int run_load_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);

// e2e stamps each value with its intended send time: this many digits and a space.
inline constexpr std::int64_t stamp_bytes = 21;
// The broker's request body limit is 64 MiB; keep batches well inside it.
inline constexpr std::int64_t max_batch_bytes = 60ll << 20;
// Values stay under the 1 MiB record limit with room for the record's framing.
inline constexpr std::int64_t max_value_bytes = 1'000'000;

}  // namespace gafka::tools
