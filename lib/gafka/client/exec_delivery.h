#pragma once
// gafka-consume --group --exec: per-record acknowledgement for shell
// pipelines. A record counts as processed (and may be committed) only once
// the command exits 0 for it; a failure runs it again, up to max_attempts,
// then hands the record to the dead-letter topic when there is one.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include <rapidjson/document.h>

namespace gafka::client {

class broker_client;

struct exec_delivery_options {
    std::string command;
    int max_attempts = 3;
    std::optional<std::string> dead_letter;  // topic for records that failed every attempt
    std::chrono::milliseconds retry_backoff{1000};
    bool values_only = false;  // the record on stdin as its raw value, not JSON
    std::string group;
};

// Runs the command for `record` (a record object of a consume answer).
// True when the record is processed: the command succeeded, or the record
// is now in the dead-letter topic. False: the caller must stop without
// committing it (it is delivered again later).
bool deliver_by_exec(const exec_delivery_options& opts, const rapidjson::Value& record, broker_client& client,
                     std::ostream& err, const std::function<void()>& keep_alive);

}  // namespace gafka::client
