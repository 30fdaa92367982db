// FindCoordinator (10): every group's coordinator is this broker (gafka's
// groups live on the leader). Transaction coordinators (key_type 1) are not
// served: COORDINATOR_NOT_AVAILABLE.
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/find_coordinator.h"

namespace gafka::kafka::handlers {

handler_result find_coordinator(const request& req, connection_context& conn) {
    auto body = value::make(*messages::find_coordinator.response);
    if (req.body.i8("key_type") != 0) {
        body.set("error_code", code(error_code::coordinator_not_available))
            .set("error_message", "gafka has no transactions")
            .set("node_id", -1);
        co_return body;
    }
    body.set("node_id", conn.broker.node_id).set("host", conn.broker.host).set("port", conn.broker.port);
    co_return body;
}

}  // namespace gafka::kafka::handlers
