#pragma once
// The JSON form of a record, as gafka-consume and gafka-walcheck --dump write
// it and gafka-produce --json reads it (one object per line):
//   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,
//    "key":"k","value":"v","headers":{"h":"x"}}
// key and value are null when absent; bytes that are not valid UTF-8 go as
// "key_b64"/"value_b64" instead, so nothing is altered on the way through.
#include <optional>
#include <string>
#include <string_view>

#include "gafka/log/record.h"

namespace gafka::json {

struct record_origin {
    std::optional<std::string> topic;
    std::optional<std::int32_t> partition;
};

// Appends one JSON object (no newline) for `r` to `out`.
void append_record_json(std::string& out, const record_origin& origin, const log::record_view& r);

}  // namespace gafka::json
