#pragma once
// What every gafka-admin subcommand does with the broker: one request, its
// errors reported as "gafka-admin: error: ..." with the exit code to return,
// and answers printed as JSON lines.
#include <optional>
#include <ostream>
#include <string>

#include <rapidjson/document.h>

#include "gafka/util/status.h"

namespace gafka::tools {

struct admin_answer {
    int exit_code = 0;                       // 2: bad --broker list; 1: unreachable, refused, malformed
    std::optional<rapidjson::Document> body;  // the answer, when it had the expected status
};

// `tolerated_code`: an error code that counts as success, without a body
// (create-topic --if-not-exists, a group with nothing committed).
admin_answer admin_request(const std::string& brokers, const std::string& method, const std::string& target,
                           const std::string& body, unsigned ok_status, std::ostream& err,
                           const char* tolerated_code = nullptr);

std::string json_line(const rapidjson::Value& v);

// Names go into URL paths and JSON unescaped: reports an illegal one (the
// result of a check in rules/names.h) and returns false.
bool name_ok(const status& check, std::ostream& err);

}  // namespace gafka::tools
