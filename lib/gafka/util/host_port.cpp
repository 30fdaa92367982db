#include "gafka/util/host_port.h"

#include <charconv>

namespace gafka::util {
namespace {

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

result<host_port> parse_host_port(std::string_view entry) {
    auto fail = [&](std::string_view why) {
        return status::invalid_argument("bootstrap broker '" + std::string(entry) + "': " + std::string(why));
    };
    std::string_view host, port;
    if (entry.starts_with('[')) {
        auto close = entry.find(']');
        if (close == std::string_view::npos) return fail("unclosed '['");
        host = entry.substr(1, close - 1);
        auto rest = entry.substr(close + 1);
        if (!rest.starts_with(':')) return fail("expected HOST:PORT");
        port = rest.substr(1);
    } else {
        auto colon = entry.rfind(':');
        if (colon == std::string_view::npos) return fail("expected HOST:PORT");
        host = entry.substr(0, colon);
        port = entry.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return fail("put an IPv6 address in brackets");
    }
    if (host.empty()) return fail("empty host");
    if (host.find_first_of(" \t\r\n[]") != std::string_view::npos) return fail("bad host");
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n == 0 || n > 65535)
        return fail("port must be 1..65535");
    return host_port{std::string(host), static_cast<std::uint16_t>(n)};
}

}  // namespace

result<std::vector<host_port>> parse_host_port_list(std::string_view list) {
    std::vector<host_port> out;
    if (trim(list).empty()) return status::invalid_argument("bootstrap broker list is empty");
    while (true) {
        auto comma = list.find(',');
        auto entry = trim(list.substr(0, comma));
        if (entry.empty()) return status::invalid_argument("bootstrap broker list has an empty entry");
        auto b = parse_host_port(entry);
        if (!b.ok()) return b.error();
        out.push_back(std::move(b).value());
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace gafka::util
