#pragma once
// The JSON form of a record, as gafka-consume and gafka-walcheck --dump write
// it, gafka-produce --json reads it and the produce API takes it (one object
// per line):
//   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,
//    "key":"k","value":"v","headers":{"h":"x"}}
// key and value are null when absent; bytes that are not valid UTF-8 go as
// "key_b64"/"value_b64" instead, so nothing is altered on the way through.
// One writer and one reader, so the round trip is lossless by construction.
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/log/record.h"

namespace gafka::json {

struct record_origin {
    std::optional<std::string> topic;
    std::optional<std::int32_t> partition;
};

// Appends one JSON object (no newline) for `r` to `out`.
void append_record_json(std::string& out, const record_origin& origin, const log::record_view& r);

// Appends the object the produce API takes for `r`: no topic or offset,
// "partition" only when given, "timestamp" only when `with_timestamp`.
void append_produce_record_json(std::string& out, const log::record& r, std::optional<std::int32_t> partition,
                                bool with_timestamp);

struct parsed_record {
    std::optional<std::string> topic;
    std::optional<std::int32_t> partition;
    bool has_timestamp = false;
    log::record record;
};

// A record as read from JSON, before anything is copied: key and value point
// into the parsed document's strings, or, for key_b64/value_b64, into the
// decoded strings the reader was given; valid while both live. The broker
// builds its batches straight from these (one copy of a value less, and no
// allocation per record).
struct record_text {
    log::timestamp_ms timestamp = 0;
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    std::vector<log::record_header> headers;
};

struct parsed_record_text {
    std::optional<std::string_view> topic;
    std::optional<std::int32_t> partition;
    bool has_timestamp = false;
    record_text record;
};

struct record_parse_error {
    std::string code;  // "bad_request", "missing_value", "record_too_large", "invalid_json"
    std::string message;
    bool too_large = false;
};

// Reads one record object. "offset" is accepted and ignored (it is assigned
// on append); any other unknown field is an error, to catch typos.
// `decoded` keeps the bytes of *_b64 fields (a deque: adding to it moves none).
std::optional<record_parse_error> read_record_object(const rapidjson::Value& obj, parsed_record_text& out,
                                                     std::deque<std::string>& decoded);
// The same, copied into a record of its own.
std::optional<record_parse_error> parse_record_object(const rapidjson::Value& obj, parsed_record& out);
// Parses and reads one line of JSON.
std::optional<record_parse_error> parse_record_line(std::string_view line, parsed_record& out);

}  // namespace gafka::json
