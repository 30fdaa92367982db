#pragma once
// Durations as people type them: "500ms", "30s", "1m", "2h", or a bare
// number of milliseconds.
#include <chrono>
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::util {

result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace gafka::util
