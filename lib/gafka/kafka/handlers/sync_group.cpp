// SyncGroup (14): the leader hands over every member's assignment; each
// member waits, polling, until the leader's has come, and gets its own.
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/sync_group.h"
#include "gafka/util/clock.h"

namespace gafka::kafka::handlers {

handler_result sync_group(const request& req, connection_context& conn) {
    const auto& b = req.body;
    std::string group(b.str("group_id")), member(b.str("member_id")), instance = group_instance_id_of(b);
    auto generation = b.i32("generation_id");
    std::map<std::string, std::string> assignments;
    for (const auto& a : b.array("assignments"))
        assignments.emplace(std::string(a.str("member_id")), std::string(a.str("assignment")));
    auto& groups = *conn.broker.kafka_groups;
    auto body = value::make(*messages::sync_group.response);
    if (auto refused = coordinator_error(conn.broker); refused != error_code::none) {
        body.set("error_code", code(refused));
        co_return body;
    }
    if (auto e = groups.sync(group, member, generation, assignments, util::steady_clock_ms(), instance);
        e != broker::group_error::none) {
        body.set("error_code", code(from_group_error(e)));
        co_return body;
    }
    // Bounded: the member is dropped after its session timeout without a
    // leader's sync, and sync_done then says so.
    for (;;) {
        if (auto done = groups.sync_done(group, member, generation, util::steady_clock_ms(), instance)) {
            body.set("error_code", code(from_group_error(done->error))).set("assignment", done->assignment);
            co_return body;
        }
        co_await pause(group_poll_interval);
    }
}

}  // namespace gafka::kafka::handlers
