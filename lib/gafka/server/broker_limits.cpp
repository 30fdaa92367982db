// gafka-broker's limit and security flags given as text (broker.h).
#include "gafka/server/broker.h"
#include "gafka/util/duration.h"
#include "gafka/util/tcp_listener.h"
#include "gafka/util/token_file.h"

namespace gafka::server {
namespace {

result<std::chrono::milliseconds> positive_duration(const std::string& flag, const std::string& text) {
    auto d = util::parse_duration(text);
    if (!d.ok()) return status::invalid_argument(flag + ": " + d.error().message());
    if (d->count() <= 0) return status::invalid_argument(flag + " must be more than 0");
    return *d;
}

}  // namespace

status apply_limit_flags(broker_config& config, const std::string& idle_timeout, const std::string& header_timeout,
                         const std::string& token_file) {
    auto idle = positive_duration("--idle-timeout", idle_timeout);
    if (!idle.ok()) return idle.error();
    auto header = positive_duration("--header-timeout", header_timeout);
    if (!header.ok()) return header.error();
    if (!config.tcp_congestion.empty())
        if (auto s = util::check_congestion_control(config.tcp_congestion); !s.ok())
            return status::invalid_argument("--tcp-congestion " + s.message());
    config.idle_timeout = *idle;
    config.header_timeout = *header;
    if (!token_file.empty()) {
        auto tokens = util::read_token_file(token_file);
        if (!tokens.ok()) return status::invalid_argument("--auth-token-file: " + tokens.error().message());
        config.auth_tokens = std::move(*tokens);
    }
    return {};
}

}  // namespace gafka::server
