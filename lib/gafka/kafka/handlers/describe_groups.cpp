// DescribeGroups (15): each named group as Kafka describes it. A group with
// Kafka members shows their ids, instance ids, client ids and hosts, and
// the metadata and assignment they exchanged (opaque to the broker). A
// group known only by its committed offsets is Empty, with no protocol
// type (as Kafka shows a group of simple consumers); a group of gafka's
// HTTP consumers is Stable with protocol type "gafka", its members named
// by consumer id with nothing else (they are not Kafka consumers: a Kafka
// client cannot join it). An unknown group is Dead, without an error, as
// Kafka answers.
#include "gafka/broker/group_directory.h"
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/describe_groups.h"

namespace gafka::kafka::handlers {
namespace {

void describe_kafka_group(value& out, const broker::classic_group_view& g) {
    out.set("group_state", g.state).set("protocol_type", g.protocol_type).set("protocol_data", g.protocol_name);
    for (const auto& m : g.members) {
        auto& member = out.add("members")
                           .set("member_id", m.member_id)
                           .set("client_id", m.client_id)
                           .set("client_host", m.client_host)
                           .set("member_metadata", m.metadata)
                           .set("member_assignment", m.assignment);
        if (!m.instance_id.empty()) member.set("group_instance_id", m.instance_id);
    }
}

void describe_http_group(value& out, const broker::group_view& g) {
    out.set("group_state", g.members.empty() ? "Empty" : "Stable").set("protocol_type", broker::gafka_protocol_type(g));
    for (const auto& m : g.members) out.add("members").set("member_id", m.consumer_id).set("client_id", m.consumer_id);
}

}  // namespace

handler_result describe_groups(const request& req, connection_context& conn) {
    auto body = value::make(*messages::describe_groups.response);
    auto refused = coordinator_error(conn.broker);
    for (const auto& id : req.body.array("groups")) {
        std::string group(id.text());
        auto& out = body.add("groups").set("group_id", group).set("error_code", code(refused));
        if (refused != error_code::none) continue;
        if (auto kafka = broker::kafka_members_of(conn.broker.kafka_groups, group)) describe_kafka_group(out, *kafka);
        else if (auto http = conn.broker.groups.describe(group)) describe_http_group(out, *http);
        else out.set("group_state", "Dead");
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
