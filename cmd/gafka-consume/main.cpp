// gafka-consume: write a topic's records to stdout as JSON lines.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "gafka/cli/program.h"
#include "gafka/client/consume_args.h"
#include "gafka/util/clock.h"

namespace {
volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Read records from a gafka topic and write them as JSON lines.", "gafka-consume"};
    gafka::cli::configure_app(app);
    gafka::client::consume_options o;
    gafka::client::consume_args a;
    gafka::cli::add_broker_option(app, o.brokers);
    gafka::cli::add_auth_token_option(app);
    gafka::cli::add_tls_ca_option(app);
    app.add_option("-t,--topic", o.topic, "Topic to read")->required();
    app.add_option("-p,--partition", o.partition, "Read only this partition")
        ->check(gafka::cli::in_range(0, INT32_MAX));
    app.add_option("--offset", a.offset, "Start offset: a number (with --partition), earliest or latest");
    app.add_flag("--from-beginning", a.from_beginning, "Start at the earliest record")->excludes("--offset");
    app.add_option("--from-time", a.from_time, "Start at the first record at or after this time (RFC 3339, -1h)")
        ->excludes("--offset")
        ->excludes("--from-beginning");
    app.add_option("--max-messages", o.max_messages, "Exit after this many records")->check(gafka::cli::in_range(1));
    app.add_flag("--exit-at-end", o.exit_at_end, "Exit once every partition reaches the end it had at start");
    app.add_option("--timeout", a.timeout, "Long-poll wait per request (e.g. 30s, at most 30s)");
    app.add_option("--format", a.format, "json or value")->check(CLI::IsMember({"json", "value"}));
    app.add_option("--fetch-size", o.fetch_size, "Records per request")->check(gafka::cli::in_range(1, 10000));
    app.add_option("--retries", o.retries, "Retries after a failed connection or while a leader moves (default 5)")
        ->check(gafka::cli::in_range(0, 100));
    auto* group = app.add_option("--group", o.group, "Consume as a member of this consumer group");
    app.add_option("--consumer-id", o.consumer_id, "Member id within the group (default: HOST-PID)")->needs(group);
    app.add_option("--assignor", o.assignor, "How the group deals partitions: roundrobin or range")
        ->check(CLI::IsMember({"roundrobin", "range"}))
        ->needs(group);
    auto* exec = app.add_option("--exec", o.exec, "Run CMD per record (record on stdin); commit when it exits 0")
                     ->needs(group);
    app.add_option("--max-attempts", o.max_attempts, "--exec runs per record before giving up (default 3)")
        ->check(gafka::cli::in_range(1, 1000))
        ->needs(exec);
    app.add_option("--dead-letter", o.dead_letter, "Topic for records --exec failed on every attempt")->needs(exec);
    group->excludes("--partition")->excludes("--offset")->excludes("--from-beginning")->excludes("--from-time");
    return gafka::cli::run(app, argc, argv, [&] {
        if (auto usage = gafka::client::apply_consume_args(a, gafka::util::wall_clock_ms(), o)) {
            gafka::cli::print_error("gafka-consume", *usage);
            return gafka::cli::exit_usage;
        }
        if (o.group) {
            // Leave the group on the way out, whatever ends the run.
            std::signal(SIGINT, request_stop);
            std::signal(SIGTERM, request_stop);
            std::signal(SIGPIPE, SIG_IGN);
            return gafka::client::run_group_consume(o, stdout, std::cerr, stop_requested);
        }
        return gafka::client::run_consume(o, stdout, std::cerr);
    });
}
