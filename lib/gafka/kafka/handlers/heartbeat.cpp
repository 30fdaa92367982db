// Heartbeat (12): keeps a member alive; REBALANCE_IN_PROGRESS tells it to
// join again.
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/heartbeat.h"
#include "gafka/util/clock.h"

namespace gafka::kafka::handlers {

handler_result heartbeat(const request& req, connection_context& conn) {
    const auto& b = req.body;
    auto body = value::make(*messages::heartbeat.response);
    if (auto refused = coordinator_error(conn.broker); refused != error_code::none) {
        body.set("error_code", code(refused));
        co_return body;
    }
    auto e = conn.broker.kafka_groups->heartbeat(std::string(b.str("group_id")), std::string(b.str("member_id")),
                                                 b.i32("generation_id"), util::steady_clock_ms(),
                                                 group_instance_id_of(b));
    body.set("error_code", code(from_group_error(e)));
    co_return body;
}

}  // namespace gafka::kafka::handlers
