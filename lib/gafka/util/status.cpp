#include "gafka/util/status.h"

#include <cerrno>
#include <cstring>

namespace gafka {

const char* to_string(status_code code) {
    switch (code) {
        case status_code::ok: return "ok";
        case status_code::invalid_argument: return "invalid_argument";
        case status_code::not_found: return "not_found";
        case status_code::already_exists: return "already_exists";
        case status_code::corruption: return "corruption";
        case status_code::io_error: return "io_error";
        case status_code::no_space: return "no_space";
        case status_code::out_of_range: return "out_of_range";
        case status_code::too_large: return "too_large";
        case status_code::not_leader: return "not_leader";
        case status_code::conflict: return "conflict";
        case status_code::unavailable: return "unavailable";
        case status_code::fenced: return "fenced";
        case status_code::not_enough_replicas: return "not_enough_replicas";
        case status_code::timed_out: return "timed_out";
    }
    return "unknown";
}

status status::from_errno(const std::string& what, int err) {
    auto code = (err == ENOSPC || err == EDQUOT) ? status_code::no_space : status_code::io_error;
    return {code, what + ": " + std::strerror(err)};
}

status status::sync_failure(const std::string& what, int err) {
    return io_error(what + ": " + std::strerror(err));
}

std::string status::to_string() const {
    if (ok()) return "ok";
    return std::string(gafka::to_string(code_)) + ": " + message_;
}

}  // namespace gafka
