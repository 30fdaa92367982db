#pragma once
// SaslAuthenticate (api key 36), versions 0-1, none flexible: the fields of
// Kafka's SaslAuthenticateRequest.json and SaslAuthenticateResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::sasl_authenticate_fields {

inline constexpr field request_fields[] = {
    f::bytes("auth_bytes", since(0)),
};
inline constexpr struct_schema request{"SaslAuthenticateRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i16("error_code", since(0)),
    f::str("error_message", since(0)).null_in(since(0)),
    f::bytes("auth_bytes", since(0)),
    f::i64("session_lifetime_ms", since(1)),
};
inline constexpr struct_schema response{"SaslAuthenticateResponse", response_fields};

}  // namespace gafka::kafka::messages::sasl_authenticate_fields

namespace gafka::kafka::messages {
inline constexpr api_schema sasl_authenticate{"SaslAuthenticate", 36, range(0, 1), max_api_version, &sasl_authenticate_fields::request, &sasl_authenticate_fields::response};
}  // namespace gafka::kafka::messages
