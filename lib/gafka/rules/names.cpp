#include "gafka/rules/names.h"

#include <algorithm>
#include <string>

namespace gafka::rules {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

status check_name(std::string_view what, std::string_view name, std::size_t max) {
    if (name.empty()) return status::invalid_argument(std::string(what) + " must not be empty");
    if (name.size() > max)
        return status::invalid_argument(std::string(what) + " is longer than " + std::to_string(max) + " characters");
    if (!std::all_of(name.begin(), name.end(), name_char))
        return status::invalid_argument(std::string(what) + " '" + std::string(name) +
                                        "' may only contain letters, digits, '.', '_' and '-'");
    if (name == "." || name == "..")
        return status::invalid_argument(std::string(what) + " must not be '.' or '..'");
    return {};
}

}  // namespace

status check_topic_name(std::string_view name) {
    if (auto s = check_name("topic name", name, max_topic_name); !s.ok()) return s;
    if (name.starts_with("__")) return status::invalid_argument("topic names starting with '__' are internal");
    // A directory named so is a delete cut short by a crash, removed at start.
    if (name.starts_with(deleted_topic_prefix))
        return status::invalid_argument("topic names starting with '" + std::string(deleted_topic_prefix) +
                                        "' are reserved");
    return {};
}
status check_stored_topic_name(std::string_view name) {
    return is_internal_topic(name) ? status{} : check_topic_name(name);
}
status check_group_id(std::string_view id) { return check_name("group id", id, max_group_id); }
status check_consumer_id(std::string_view id) { return check_name("consumer id", id, max_consumer_id); }

}  // namespace gafka::rules
