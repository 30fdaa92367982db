#pragma once
// Points in time as people type them (DESIGN.md §6: "times as RFC 3339 or
// relative"), read into milliseconds since the Unix epoch:
//   2026-11-23T10:00:00Z, 2026-11-23T11:00:00.250+01:00   RFC 3339
//   -1h, -30m, -7d                                        that long before `now_ms`
//   now                                                   `now_ms`
//   1763892000000                                         milliseconds since the epoch (as kcat's s@ts)
#include <cstdint>
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::util {

result<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms);

}  // namespace gafka::util
