#pragma once
// HOST:PORT lists, as --broker and a follower's --leader take them: the
// clients and the broker read them alike.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::util {

struct host_port {
    std::string host;  // IPv6 literals without brackets ("::1")
    std::uint16_t port = 0;
};

// Parses "HOST:PORT[,HOST:PORT...]" (spaces around entries ignored, IPv6 as
// "[::1]:9001"). Rejects an empty list or entry, an empty host, and a port
// that is missing, not a number, 0 or above 65535 (invalid_argument, naming
// the entry as a "bootstrap broker").
result<std::vector<host_port>> parse_host_port_list(std::string_view list);

}  // namespace gafka::util
