// SaslAuthenticate (36): SASL/PLAIN with one of the broker's tokens as the
// password (any user name). A wrong password is answered 58 and the
// connection closed, as Kafka does.
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/sasl_authenticate.h"
#include "gafka/util/logging.h"
#include "gafka/util/token_file.h"

namespace gafka::kafka::handlers {

std::optional<plain_credentials> parse_plain(std::string_view message) {
    auto first = message.find('\0');
    if (first == std::string_view::npos) return std::nullopt;
    auto second = message.find('\0', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    plain_credentials c{message.substr(0, first), message.substr(first + 1, second - first - 1),
                        message.substr(second + 1)};
    if (c.user.empty() || c.password.find('\0') != std::string_view::npos) return std::nullopt;
    return c;
}

bool authenticate_plain(connection_context& conn, std::string_view message) {
    auto creds = parse_plain(message);
    if (creds && util::token_matches(creds->password, conn.broker.auth_tokens)) {
        conn.authenticated = true;
        return true;
    }
    util::logger("kafka")->warn("{}: SASL/PLAIN authentication failed{}", conn.peer,
                                creds ? " for user '" + std::string(creds->user) + "'" : std::string(" (malformed)"));
    return false;
}

handler_result sasl_authenticate(const request& req, connection_context& conn) {
    auto body = value::make(*messages::sasl_authenticate.response);
    auto refuse = [&](error_code e, std::string why) {
        body.set("error_code", code(e)).set("error_message", std::move(why));
        conn.close_after_answer = true;
        return body;
    };
    if (conn.broker.auth_tokens.empty())
        co_return refuse(error_code::illegal_sasl_state, "SASL is not enabled on this listener");
    if (!conn.mechanism_chosen)
        co_return refuse(error_code::illegal_sasl_state, "SaslAuthenticate before a SaslHandshake chose PLAIN");
    if (!authenticate_plain(conn, req.body.str("auth_bytes")))
        co_return refuse(error_code::sasl_authentication_failed,
                         "authentication failed: the password must be one of the broker's tokens (--auth-token-file)");
    co_return body;
}

}  // namespace gafka::kafka::handlers
