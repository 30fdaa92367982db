// CreatePartitions (37): grows each topic through the same broker core call
// as POST /api/v1/topics/{name}/partitions (broker/topic_admin.h), with
// Kafka's codes: 37 for a count not above the current one or over 100, 39
// for manual assignments, 3 for an unknown topic, 41 on a follower or a
// cluster member that is not the controller, 42 for a topic named twice.
// `validate_only` checks and changes nothing (in a cluster, where the
// controller alone knows the current count, only that it is 1-100).
#include <set>

#include "gafka/broker/topic_admin.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/create_partitions.h"
#include "gafka/replication/replication_state.h"
#include "gafka/rules/names.h"

namespace gafka::kafka::handlers {

handler_result create_partitions(const request& req, connection_context& conn) {
    auto& b = conn.broker;
    auto body = value::make(*messages::create_partitions.response);
    const bool leader = !b.repl || b.repl->is_leader();
    const bool validate_only = req.body.boolean("validate_only");
    std::set<std::string> seen;
    for (const auto& t : req.body.array("topics")) {
        std::string name(t.str("name"));
        const std::int32_t count = t.i32("count");
        auto& out = body.add("results").set("name", name);
        auto refuse = [&](error_code e, std::string message) {
            out.set("error_code", code(e)).set("error_message", std::move(message));
        };
        if (!seen.insert(name).second) {
            refuse(error_code::invalid_request, "topic '" + name + "' is named twice in one request");
            continue;
        }
        if (!leader) {
            refuse(error_code::not_controller, "this broker is a follower; add partitions on its leader");
            continue;
        }
        if (!t.at("assignments").is_null()) {
            refuse(error_code::invalid_replica_assignment, "gafka places partitions itself; give no assignments");
            continue;
        }
        if (count < 1 || count > rules::max_partitions) {
            refuse(error_code::invalid_partitions,
                   "partitions must be between 1 and " + std::to_string(rules::max_partitions));
            continue;
        }
        if (validate_only) {
            if (b.add_partitions_in_cluster) continue;
            auto found = b.topics.find(name);
            if (!found) refuse(error_code::unknown_topic_or_partition, "unknown topic '" + name + "'");
            else if (count <= static_cast<std::int32_t>(found->partitions.size()))
                refuse(error_code::invalid_partitions, "topic '" + name + "' has " +
                                                           std::to_string(found->partitions.size()) +
                                                           " partitions; partitions can only be added");
            continue;
        }
        auto s = co_await broker::add_partitions(b.topics, b.add_partitions_in_cluster, name, count);
        if (s.code() == status_code::invalid_argument) refuse(error_code::invalid_partitions, s.message());
        else if (!s.ok()) refuse(s.code() == status_code::not_leader ? error_code::not_controller : from_status(s),
                                 s.message());
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
