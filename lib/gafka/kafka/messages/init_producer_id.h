#pragma once
// InitProducerId (api key 22), versions 0-1, none flexible: the fields of
// Kafka's InitProducerIdRequest.json and InitProducerIdResponse.json that exist in those versions.
#include "gafka/kafka/schema.h"

namespace gafka::kafka::messages::init_producer_id_fields {

inline constexpr field request_fields[] = {
    f::str("transactional_id", since(0)).null_in(since(0)),
    f::i32("transaction_timeout_ms", since(0)),
};
inline constexpr struct_schema request{"InitProducerIdRequest", request_fields};

inline constexpr field response_fields[] = {
    f::i32("throttle_time_ms", since(0)),
    f::i16("error_code", since(0)),
    f::i64("producer_id", since(0)).def(-1),
    f::i16("producer_epoch", since(0)),
};
inline constexpr struct_schema response{"InitProducerIdResponse", response_fields};

}  // namespace gafka::kafka::messages::init_producer_id_fields

namespace gafka::kafka::messages {
inline constexpr api_schema init_producer_id{"InitProducerId", 22, range(0, 1), max_api_version, &init_producer_id_fields::request, &init_producer_id_fields::response};
}  // namespace gafka::kafka::messages
