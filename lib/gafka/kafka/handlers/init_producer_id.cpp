// InitProducerId (22), v0-1: an idempotent producer's id, from the same
// allocator as HTTP's POST /api/v1/producers (broker/producer_ids.h), at
// epoch 0. Its batches then go through the partitions' producer-state table
// as gafka-produce's do. gafka has no transactions: a transactional id is
// refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which librdkafka and
// the Java client report as a fatal error instead of retrying (their
// transactional producers stop earlier anyway: FindCoordinator answers
// COORDINATOR_NOT_AVAILABLE for transaction coordinators).
#include "gafka/broker/producer_ids.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/init_producer_id.h"

namespace gafka::kafka::handlers {

handler_result init_producer_id(const request& req, connection_context&) {
    auto body = value::make(*messages::init_producer_id.response);
    if (req.body.nullable_str("transactional_id")) {
        body.set("error_code", code(error_code::transactional_id_authorization_failed)).set("producer_epoch", -1);
        co_return body;
    }
    body.set("producer_id", broker::new_producer_id()).set("producer_epoch", 0);
    co_return body;
}

}  // namespace gafka::kafka::handlers
