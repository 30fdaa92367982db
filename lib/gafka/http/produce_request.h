#pragma once
// Parsing of produce bodies: one record ({"topic":"t","key":"k","value":"v"}),
// a batch ({"topic":"t","records":[{...},...]}), or NDJSON (one record object
// a line, topic from the ?topic= parameter or the lines). Everything is
// checked before anything is written: the first bad record rejects the
// request with its index (or line number) in the message.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/http/api_error.h"
#include "gafka/log/record.h"

namespace gafka::http {

struct produce_record {
    std::optional<std::int32_t> partition;
    bool has_timestamp = false;
    log::record record;
};

struct produce_request {
    std::string topic;
    bool single = false;  // the body was one record object
    std::vector<produce_record> records;
};

struct produce_parse_result {
    std::optional<produce_request> request;
    std::optional<api_error> error;
};

// `topic_param` is the ?topic= query parameter, if any.
produce_parse_result parse_produce_json(std::string_view body, const std::optional<std::string>& topic_param);
produce_parse_result parse_produce_ndjson(std::string_view body, const std::optional<std::string>& topic_param);

}  // namespace gafka::http
