#pragma once
// gafka-consume's flags as typed, turned into consume_options: the checks
// CLI11 cannot make (durations, offsets, times) and the defaults that need
// the machine (the member id).
#include <optional>
#include <string>

#include "gafka/client/consumer.h"

namespace gafka::client {

struct consume_args {
    std::string timeout = "30s";
    std::string format = "json";
    bool from_beginning = false;
    std::optional<std::string> offset;
    std::optional<std::string> from_time;
};

// Fills `o` from `a`; the usage error to report (exit 2), if any.
// `now_ms` is for relative --from-time values.
std::optional<std::string> apply_consume_args(const consume_args& a, std::int64_t now_ms, consume_options& o);

}  // namespace gafka::client
