// ListGroups (16): every group this broker coordinates, with its protocol
// type: a group with Kafka members has theirs ("consumer"); a group of
// gafka's HTTP consumers has "gafka"; a group known only by its committed
// offsets has none (as Kafka lists a group of simple consumers). A broker
// that is not the groups' coordinator lists none, as a Kafka broker lists
// only the groups it coordinates; one still loading them says so (14).
#include "gafka/broker/group_directory.h"
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/list_groups.h"

namespace gafka::kafka::handlers {

handler_result list_groups(const request&, connection_context& conn) {
    auto body = value::make(*messages::list_groups.response);
    auto refused = coordinator_error(conn.broker);
    if (refused == error_code::not_coordinator) co_return body;
    body.set("error_code", code(refused));
    if (refused != error_code::none) co_return body;
    for (const auto& g : broker::list_groups(conn.broker.groups, conn.broker.kafka_groups))
        body.add("groups").set("group_id", g.group_id).set("protocol_type", g.protocol_type);
    co_return body;
}

}  // namespace gafka::kafka::handlers
