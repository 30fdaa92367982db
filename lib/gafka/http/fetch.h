#pragma once
// What the consume handlers (single partition and group) share: the count
// and timeout parameters, and reading records as pre-encoded JSON.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "gafka/broker/partition.h"
#include "gafka/http/api_error.h"
#include "gafka/http/query.h"

namespace gafka::http {

inline constexpr std::int64_t default_fetch_count = 100;
inline constexpr std::int64_t max_fetch_count = 10'000;
inline constexpr std::chrono::seconds max_poll_timeout{30};

struct fetch_params {
    std::int64_t count = default_fetch_count;
    std::chrono::milliseconds timeout{0};
};

// Reads ?count= and ?timeout= into `out`; the error to answer when bad.
std::optional<api_error> parse_fetch_params(const target& t, fetch_params& out);
std::optional<std::int64_t> parse_int(const std::string& s);

struct fetch {
    std::int64_t count = 0;
    std::int64_t bytes = 0;  // key + value bytes of the records
    log::offset_t next_offset = 0;
};

// Up to `max` records from `offset` on, no further than what consumers may
// see (broker/fetch_path.h read_batches), appended to `json` as comma-separated JSON objects (a comma before
// the first of them too when `json` holds records already): the records
// are written straight into the answer.
result<fetch> read_records(broker::partition& p, const std::string& topic, log::offset_t offset, std::int64_t max,
                           std::string& json, bool after_records);

}  // namespace gafka::http
