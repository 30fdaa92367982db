#pragma once
// Splits a request target into its path and decoded query parameters.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::http {

struct target {
    std::string path;
    std::map<std::string, std::string> params;

    std::optional<std::string> get(const std::string& name) const;
};

// Fails on bad percent-encoding.
result<target> parse_target(std::string_view raw);

}  // namespace gafka::http
