#include "gafka/tools/bench_options.h"

#include <ostream>

#include <CLI/CLI.hpp>

#include "gafka/cli/program.h"
#include "gafka/rules/names.h"
#include "gafka/tools/bench_consume.h"
#include "gafka/tools/bench_e2e.h"
#include "gafka/tools/bench_kafka.h"
#include "gafka/tools/bench_kafka_client.h"
#include "gafka/tools/bench_produce.h"

namespace gafka::tools {

std::string default_topic(std::int32_t partitions) { return "gafka-bench-p" + std::to_string(partitions); }

void add_load_options(CLI::App& sub, load_bench_options& opts, load_mode mode) {
    opts.mode = mode;
    cli::add_broker_option(sub, opts.brokers);
    cli::add_auth_token_option(sub);
    cli::add_tls_ca_option(sub);
    sub.add_option_function<std::string>(
           "--protocol",
           [&opts](const std::string& name) {
               opts.protocol = name == "kafka" ? bench_protocol::kafka : bench_protocol::http;
           },
           "http (the HTTP API, the default) or kafka (the Kafka port, through librdkafka; --broker then "
           "defaults to localhost:9092)")
        ->check(CLI::IsMember({"http", "kafka"}));
    // GAFKA_BROKERS names HTTP ports: the Kafka port is only taken from --broker.
    sub.parse_complete_callback([&sub, &opts] {
        if (opts.protocol != bench_protocol::kafka) return;
        if (sub.count("--broker") == 0) opts.brokers = "localhost:9092";
        for (const char* flag : {"--auth-token-file", "--tls-ca"})
            if (sub.count(flag) > 0) opts.http_only_flag = flag;
    });
    sub.add_option("--topic", opts.topic, "Topic to use (default: gafka-bench-pN, created with --partitions)");
    sub.add_option("--messages", opts.messages, "Records to send or read")->check(cli::in_range(1));
    sub.add_option("--size", opts.size, "Bytes per record value")->check(cli::in_range(0, max_value_bytes));
    sub.add_option("--partitions", opts.partitions, "Partitions of the topic when it has to be created")
        ->check(cli::in_range(1, 100));
    sub.add_option("--batch-size", opts.batch_size,
                   mode == load_mode::consume ? "Records per fetch (also per produce request when filling)"
                                              : "Most records per produce request")
        ->check(cli::in_range(1, 10'000));
    sub.add_option("--concurrency", opts.concurrency,
                   mode == load_mode::consume ? "Connections fetching at once" : "Produce connections (requests in flight)")
        ->check(cli::in_range(1, 256));
    sub.add_option("--acks", opts.acks, "Produce acknowledgement: 0, 1 or all")->check(CLI::IsMember({"0", "1", "all"}));
    sub.add_flag("!--no-idempotence", opts.idempotence, "Produce without producer ids and sequence numbers");
    sub.add_option("-X,--kafka-option", opts.kafka_options,
                   "KEY=VALUE: a librdkafka setting, as kcat -X, over gafka-bench's own (--protocol kafka)")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);  // one setting each -X, as kcat
    if (mode != load_mode::consume)
        sub.add_option("--rate", opts.rate, "Send at this many msg/s, open loop (latency from each intended send time)")
            ->check(cli::positive_number());
}

std::optional<std::string> check_load_options(const load_bench_options& opts) {
    if (!opts.http_only_flag.empty())
        return opts.http_only_flag + " is not supported with --protocol kafka (gafka-bench speaks plaintext Kafka "
                                     "without SASL)";
    if (!opts.kafka_options.empty()) {
        if (opts.protocol != bench_protocol::kafka) return "--kafka-option needs --protocol kafka";
        if (auto s = check_kafka_options(opts.kafka_options); !s.ok()) return s.message();
    }
    if (!opts.topic.empty())
        if (auto s = rules::check_topic_name(opts.topic); !s.ok()) return s.message();
    if (opts.mode == load_mode::e2e && opts.size < stamp_bytes)
        return "--size must be at least " + std::to_string(stamp_bytes) +
               " for e2e: each value carries its send time";
    if (opts.size * opts.batch_size > max_batch_bytes)
        return "--batch-size x --size is over " + std::to_string(max_batch_bytes >> 20) +
               " MiB, more than one produce request may carry";
    return std::nullopt;
}

int run_load_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    if (auto bad = check_load_options(opts)) {
        err << "gafka-bench: error: " << *bad << "\n";
        return cli::exit_usage;
    }
    if (opts.protocol == bench_protocol::kafka) switch (opts.mode) {
            case load_mode::produce: return run_kafka_produce_bench(opts, out, err);
            case load_mode::consume: return run_kafka_consume_bench(opts, out, err);
            case load_mode::e2e: return run_kafka_e2e_bench(opts, out, err);
        }
    switch (opts.mode) {
        case load_mode::produce: return run_produce_bench(opts, out, err);
        case load_mode::consume: return run_consume_bench(opts, out, err);
        case load_mode::e2e: return run_e2e_bench(opts, out, err);
    }
    return cli::exit_failure;
}

}  // namespace gafka::tools
