// LeaveGroup (13): one member (v0-2) or several (v3) leave; the rest of the
// group rebalances at once instead of after a session timeout.
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/leave_group.h"
#include "gafka/util/clock.h"

namespace gafka::kafka::handlers {

handler_result leave_group(const request& req, connection_context& conn) {
    const auto& b = req.body;
    std::string group(b.str("group_id"));
    auto& groups = *conn.broker.kafka_groups;
    auto body = value::make(*messages::leave_group.response);
    if (auto refused = coordinator_error(conn.broker); refused != error_code::none) {
        body.set("error_code", code(refused));
        co_return body;
    }
    auto now = util::steady_clock_ms();
    if (req.header.api_version < 3) {
        body.set("error_code", code(from_group_error(groups.leave(group, std::string(b.str("member_id")), now))));
        co_return body;
    }
    for (const auto& m : b.array("members")) {
        std::string id(m.str("member_id")), instance = group_instance_id_of(m);
        auto e = groups.leave(group, id, now, instance);
        auto& out = body.add("members").set("member_id", id).set("error_code", code(from_group_error(e)));
        if (!instance.empty()) out.set("group_instance_id", instance);
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
