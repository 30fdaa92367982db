// DeleteTopics (20): each topic with its groups' committed offsets, as the
// HTTP API deletes one (broker/topic_admin.h); 3 for a topic not served,
// 41 on a follower.
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
        auto s = co_await broker::delete_topic(b.topics, b.groups, b.offsets, name);
        if (!s.ok() && s.code() != status_code::not_found)
            util::logger("kafka")->warn("{}: deleting topic '{}': {}", conn.peer, name, s.message());
        out.set("error_code", code(from_status(s)));
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
