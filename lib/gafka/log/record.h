#pragma once
// Records as the log sees them: owned (to build a batch) and viewed (read out
// of a batch's bytes without copying).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gafka::log {

// Position of a record in a partition: dense, from 0.
using offset_t = std::int64_t;
// Leader epoch: bumped on every promotion; stamped on each batch.
using epoch_t = std::int32_t;
// Milliseconds since the Unix epoch.
using timestamp_ms = std::int64_t;

inline constexpr offset_t no_offset = -1;
// The largest record (key + value + headers, as encoded) the broker accepts.
inline constexpr std::size_t max_record_bytes = 1 << 20;

struct record_header {
    std::string name;
    std::string value;
    bool operator==(const record_header&) const = default;
};

struct record {
    timestamp_ms timestamp = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<record_header> headers;
    bool operator==(const record&) const = default;
};

// A record inside a batch buffer; valid while that buffer lives.
struct record_view {
    offset_t offset = 0;
    timestamp_ms timestamp = 0;
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    std::vector<std::pair<std::string_view, std::string_view>> headers;

    record to_record() const;
};

}  // namespace gafka::log
