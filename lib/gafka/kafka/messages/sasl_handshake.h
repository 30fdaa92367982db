#pragma once
// SaslHandshake (api key 17), versions 0-1, none flexible: the fields of
// Kafka's SaslHandshakeRequest.json and SaslHandshakeResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::sasl_handshake_fields {

inline constexpr field request_fields[] = {
    f::str("mechanism", since(0)),
};
inline constexpr struct_schema request{"SaslHandshakeRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i16("error_code", since(0)),
    f::array_of(type::string, "mechanisms", since(0)),
};
inline constexpr struct_schema response{"SaslHandshakeResponse", response_fields};

}  // namespace gafka::kafka::messages::sasl_handshake_fields

namespace gafka::kafka::messages {
inline constexpr api_schema sasl_handshake{"SaslHandshake", 17, range(0, 1), max_api_version, &sasl_handshake_fields::request, &sasl_handshake_fields::response};
}  // namespace gafka::kafka::messages
