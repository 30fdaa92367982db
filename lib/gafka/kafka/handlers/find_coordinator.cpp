// FindCoordinator (10): a lone broker coordinates every group itself; in a
// cluster the coordinator is the leader of partition 0 of the offsets topic
// (COORDINATOR_NOT_AVAILABLE while it has none). Transaction coordinators (key_type 1) are not
// served: COORDINATOR_NOT_AVAILABLE.
#include "gafka/cluster/coordinator.h"
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
    if (conn.broker.cluster) {
        auto c = cluster::group_coordinator_of(conn.broker.cluster());
        if (!c || c->kafka_host.empty()) {
            body.set("error_code", code(error_code::coordinator_not_available))
                .set("error_message", "no broker with a Kafka listener leads " + std::string(rules::offsets_topic) +
                                          "/0 now")
                .set("node_id", -1);
            co_return body;
        }
        body.set("node_id", c->id).set("host", c->kafka_host).set("port", c->kafka_port);
        co_return body;
    }
    body.set("node_id", conn.broker.node_id).set("host", conn.broker.host).set("port", conn.broker.port);
    co_return body;
}

}  // namespace gafka::kafka::handlers
