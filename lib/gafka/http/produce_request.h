#pragma once
// Parsing of produce bodies: one record ({"topic":"t","key":"k","value":"v"}),
// a batch ({"topic":"t","records":[{...},...]}), or NDJSON (one record object
// a line, topic from the ?topic= parameter or the lines). Everything is
// checked before anything is written: the first bad record rejects the
// request with its index (or line number) in the message.
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/http/api_error.h"
#include "gafka/json/record_json.h"

namespace gafka::http {

// One record of the body; its key and value point into the request's text
// or decoded strings (below), so a record costs no copy until its batch.
using produce_record = json::parsed_record_text;

struct produce_request {
    std::string topic;
    bool single = false;  // the body was one record object
    std::vector<produce_record> records;
    // What the records point into: the body, parsed in place (a vector, so
    // moving the request moves no bytes, even of a short body), and the bytes
    // of *_b64 fields. Not copyable, since copies would point into these.
    std::vector<char> text;
    std::deque<std::string> decoded;

    produce_request() = default;
    produce_request(produce_request&&) = default;
    produce_request& operator=(produce_request&&) = default;
};

struct produce_parse_result {
    std::optional<produce_request> request;
    std::optional<api_error> error;
};

// `topic_param` is the ?topic= query parameter, if any.
produce_parse_result parse_produce_json(std::string_view body, const std::optional<std::string>& topic_param);
produce_parse_result parse_produce_ndjson(std::string_view body, const std::optional<std::string>& topic_param);

}  // namespace gafka::http
