#pragma once
// gafka-produce's logic: read records from a file descriptor (one per line),
// batch them by --batch-size and --linger (so a never-ending `tail -F` pipe
// still delivers each line within the linger), pick partitions, send each
// batch to its partition's leader, and report acknowledgements.
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

namespace gafka::client {

struct produce_options {
    std::string brokers = "localhost:9001";
    std::string topic;
    std::optional<std::string> key_separator;
    bool json = false;
    std::optional<std::string> message;  // send this one record instead of reading input
    std::optional<std::string> key;      // with message
    std::optional<std::int32_t> partition;
    int batch_size = 100;
    std::chrono::milliseconds linger{10};
    std::string acks = "all";
    // Idempotent producer: a producer id from the broker and per-partition
    // sequence numbers, so a retried request is never appended twice.
    bool idempotence = true;
    // Requests in flight per partition (HTTP pipelining on the leader's
    // connection), idempotent producers only; 1: one at a time.
    int max_in_flight = 5;
    bool print_acks = false;
    std::chrono::milliseconds timeout{30'000};
    int retries = 5;
    // Readable once the program should stop (SIGTERM/SIGINT, cli/stop_signal.h):
    // the input ends there (after what is already waiting in it), as at EOF,
    // so what is batched is still sent; -1: none.
    int stop_fd = -1;
};

// Returns the exit code: 0 all delivered, 1 operational failure, 3 some
// input lines rejected (each reported on `err` with its line number).
int run_produce(const produce_options& opts, int in_fd, std::ostream& out, std::ostream& err);

}  // namespace gafka::client
