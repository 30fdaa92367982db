// gafka-produce: one record per stdin line (or --message) into a topic.
#include <unistd.h>

#include <iostream>

#include "gafka/cli/program.h"
#include "gafka/cli/stop_signal.h"
#include "gafka/client/producer.h"
#include "gafka/util/duration.h"

int main(int argc, char** argv) {
    CLI::App app{"Send records to a gafka topic: one per stdin line, or --message.", "gafka-produce"};
    gafka::cli::configure_app(app);
    gafka::client::produce_options o;
    std::string linger = "10ms", timeout = "30s";
    gafka::cli::add_broker_option(app, o.brokers);
    gafka::cli::add_auth_token_option(app);
    gafka::cli::add_tls_ca_option(app);
    app.add_option("-t,--topic", o.topic, "Topic to write to")->required();
    app.add_option("--key-separator", o.key_separator, "Split each line at SEP into key and value");
    app.add_flag("--json", o.json, "Read JSON records (key/value/headers/partition/timestamp), as gafka-consume writes");
    auto* message = app.add_option("--message", o.message, "Send this one record instead of reading stdin");
    app.add_option("--key", o.key, "Key of the --message record")->needs(message);
    app.add_option("--partition", o.partition, "Send every record to this partition")
        ->check(gafka::cli::in_range(0, INT32_MAX));
    app.add_option("--batch-size", o.batch_size, "Records per request at most")->check(gafka::cli::in_range(1, 100000));
    app.add_option("--max-in-flight", o.max_in_flight,
                   "Requests in flight per partition (pipelined; idempotent only)")
        ->check(gafka::cli::in_range(1, 16));
    app.add_option("--linger", linger, "Longest wait to fill a batch (e.g. 10ms)");
    app.add_option("--acks", o.acks, "0, 1 or all")->check(CLI::IsMember({"0", "1", "all"}));
    app.add_flag("--print-acks", o.print_acks, "Print {\"line\",\"partition\",\"offset\"} per acknowledged record");
    app.add_option("--timeout", timeout, "Per-request timeout (e.g. 30s)");
    app.add_option("--retries", o.retries, "Retries after a failed connection")->check(gafka::cli::in_range(0, 100));
    app.add_flag("!--no-idempotence", o.idempotence,
                 "Send without a producer id and sequence numbers (a retry may then duplicate records)");
    app.get_option("--key-separator")->excludes("--json");
    message->excludes("--json")->excludes("--key-separator");
    return gafka::cli::run(app, argc, argv, [&] {
        auto l = gafka::util::parse_duration(linger);
        auto t = gafka::util::parse_duration(timeout);
        if (!l.ok() || !t.ok()) {
            gafka::cli::print_error("gafka-produce", (!l.ok() ? l.error() : t.error()).message());
            return gafka::cli::exit_usage;
        }
        if (t->count() == 0) {
            gafka::cli::print_error("gafka-produce", "--timeout must be more than 0");
            return gafka::cli::exit_usage;
        }
        o.linger = *l;
        o.timeout = *t;
        if (!o.message) o.stop_fd = gafka::cli::stop_signal_fd();  // SIGTERM/SIGINT end stdin like EOF
        return gafka::client::run_produce(o, STDIN_FILENO, std::cout, std::cerr);
    });
}
