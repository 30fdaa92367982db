// SaslHandshake (17): PLAIN is the one mechanism, and only when the broker
// has tokens (--auth-token-file); without them SASL is not enabled at all.
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/sasl_handshake.h"

namespace gafka::kafka::handlers {

handler_result sasl_handshake(const request& req, connection_context& conn) {
    auto body = value::make(*messages::sasl_handshake.response);
    if (conn.broker.auth_tokens.empty()) {
        body.set("error_code", code(error_code::illegal_sasl_state));
        co_return body;
    }
    body.at("mechanisms").items().emplace_back(std::string("PLAIN"));
    if (req.body.str("mechanism") != "PLAIN") {
        body.set("error_code", code(error_code::unsupported_sasl_mechanism));
        co_return body;
    }
    conn.mechanism_chosen = true;
    conn.raw_sasl_next = req.header.api_version == 0;
    co_return body;
}

}  // namespace gafka::kafka::handlers
