#pragma once
// gafka-consume's logic (without a group): fetch records from one or every
// partition of a topic with long polls and write them as JSON lines or raw
// values. Consumer groups come with the group coordinator.
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
    std::optional<std::int64_t> max_messages;
    bool exit_at_end = false;
    std::chrono::milliseconds timeout{30'000};
    bool values_only = false;  // --format value
    int fetch_size = 500;
};

// Returns the exit code: 0 done (or stdout closed), 1 operational failure.
int run_consume(const consume_options& opts, std::FILE* out, std::ostream& err);

}  // namespace gafka::client
