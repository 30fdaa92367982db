// DeleteTopics (20): each topic with its groups' committed offsets, as the
// HTTP API deletes one (broker/topic_admin.h); 3 for a topic not served,
// 41 on a follower and, in a cluster, on a broker that is not the controller.
#include "gafka/broker/topic_admin.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/delete_topics.h"
#include "gafka/replication/replication_state.h"
#include "gafka/util/logging.h"

namespace gafka::kafka::handlers {

handler_result delete_topics(const request& req, connection_context& conn) {
    auto& b = conn.broker;
    auto body = value::make(*messages::delete_topics.response);
    bool leader = !b.repl || b.repl->is_leader();
    for (const auto& n : req.body.array("topic_names")) {
        std::string name(n.text());
        auto& out = body.add("responses").set("name", name);
        if (!leader) {
            out.set("error_code", code(error_code::not_controller));
            continue;
        }
        auto s = co_await broker::delete_topic(b.topics, b.groups, b.offsets, name, b.delete_in_cluster);
        if (!s.ok() && s.code() != status_code::not_found && s.code() != status_code::not_leader)
            util::logger("kafka")->warn("{}: deleting topic '{}': {}", conn.peer, name, s.message());
        // In a cluster only the controller deletes (Kafka clients send DeleteTopics there).
        out.set("error_code", code(s.code() == status_code::not_leader ? error_code::not_controller : from_status(s)));
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
