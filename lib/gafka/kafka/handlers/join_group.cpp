// JoinGroup (11): registers the member with the classic groups and waits,
// polling, until the rebalance completes (every member joined again, or
// the longest rebalance timeout passed). v4 and later: a new member first
// gets MEMBER_ID_REQUIRED with its id, as Kafka 2.2+ answers; v5: a static
// member (group_instance_id) gets its id at once, and joining again with
// no member id takes its old id's place (classic_groups.h).
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/join_group.h"
#include "gafka/util/clock.h"

namespace gafka::kafka::handlers {
namespace {

value answer(const broker::join_answer& a) {
    auto body = value::make(*messages::join_group.response);
    body.set("error_code", code(from_group_error(a.error)))
        .set("generation_id", a.generation)
        .set("protocol_name", a.protocol_name)
        .set("leader", a.leader)
        .set("member_id", a.member_id);
    for (const auto& [id, metadata] : a.members) {
        auto& m = body.add("members").set("member_id", id).set("metadata", metadata);
        if (auto i = a.instances.find(id); i != a.instances.end()) m.set("group_instance_id", i->second);
    }
    return body;
}

}  // namespace

handler_result join_group(const request& req, connection_context& conn) {
    const auto& b = req.body;
    if (auto refused = coordinator_error(conn.broker); refused != error_code::none) {
        auto body = answer({});
        body.set("error_code", code(refused));
        co_return body;
    }
    broker::join_request jr;
    jr.group = std::string(b.str("group_id"));
    jr.member_id = std::string(b.str("member_id"));
    jr.client_id = req.header.client_id.value_or("");
    jr.client_host = client_host_of(conn.peer);
    jr.session_timeout_ms = b.i32("session_timeout_ms");
    auto rebalance = b.i32("rebalance_timeout_ms");
    jr.rebalance_timeout_ms = rebalance > 0 ? rebalance : jr.session_timeout_ms;
    jr.protocol_type = std::string(b.str("protocol_type"));
    for (const auto& p : b.array("protocols"))
        jr.protocols.push_back({std::string(p.str("name")), std::string(p.str("metadata"))});
    jr.require_known_member_id = req.header.api_version >= 4;
    jr.group_instance_id = group_instance_id_of(b);
    auto& groups = *conn.broker.kafka_groups;
    std::string member_id;
    // At once: a refusal, a new member's id (v4+), or a static member that
    // took its old id's place in a stable group.
    if (auto at_once = groups.join(jr, member_id, util::steady_clock_ms())) co_return answer(*at_once);
    // Bounded: the rebalance completes by its deadline (the longest
    // rebalance timeout of the members), or this member is dropped.
    for (;;) {
        if (auto done = groups.join_done(jr.group, member_id, util::steady_clock_ms(), jr.group_instance_id))
            co_return answer(*done);
        co_await pause(group_poll_interval);
    }
}

}  // namespace gafka::kafka::handlers
