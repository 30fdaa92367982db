#pragma once
// gafka-consume's logic: fetch records from one or every partition of a
// topic with long polls, or as a member of a consumer group, and write them
// as JSON lines or raw values.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace gafka::client {

struct consume_options {
    std::string brokers = "localhost:9001";
    std::string topic;
    std::optional<std::int32_t> partition;
    std::string offset = "latest";  // a number (with partition), "earliest" or "latest"
    std::optional<std::int64_t> from_time_ms;  // start at the first record at or after it (overrides offset)
    std::optional<std::int64_t> max_messages;
    bool exit_at_end = false;
    int retries = 5;  // per request: after a lost connection, or a 421 until the new leader or coordinator is known
    std::chrono::milliseconds timeout{30'000};
    bool values_only = false;  // --format value
    int fetch_size = 500;
    std::optional<std::string> group;  // consume as a member of this group
    std::string consumer_id;           // the member's id (default: host and pid)
    std::optional<std::string> assignor;  // "roundrobin" or "range", asked of the group when joining
    std::optional<std::string> exec;      // with group: run this per record; commit only when it exits 0
    int max_attempts = 3;                 // --exec runs per record before giving up
    std::optional<std::string> dead_letter;  // --exec: where records go that failed every attempt
};

// Returns the exit code: 0 done (or stdout closed), 1 operational failure.
// Each answer's records are copied to `out` in one write (record_output.h);
// with one partition, the request for the next records is sent before
// that write, so the broker reads them while this one is written.
int run_consume(const consume_options& opts, std::FILE* out, std::ostream& err);

// The group form (opts.group set): joins, fetches from whatever the group
// assigns (each fetch is also the heartbeat, at least every 3 s), commits
// only what was written to `out` (the broker commits a batch when the member
// fetches again; the last one is committed explicitly on the way out), and
// leaves the group on every exit: --max-messages, --exit-at-end, a closed
// stdout, or SIGINT/SIGTERM (caught through `stop`). With `exec`, each
// record goes to the command instead of `out` (exec_delivery.h); a record
// it fails on every attempt, with no dead-letter topic, ends the run with
// exit 1 and stays uncommitted.
int run_group_consume(const consume_options& opts, std::FILE* out, std::ostream& err, const volatile int& stop);

}  // namespace gafka::client
