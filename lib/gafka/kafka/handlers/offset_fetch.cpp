// OffsetFetch (9): a group's committed offsets from the offsets store
// shared with HTTP groups; -1 where nothing is committed. Null topics (v2
// and later): every partition the group has an offset for. In a cluster,
// a broker that is not the groups' coordinator answers NOT_COORDINATOR.
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/offset_fetch.h"

namespace gafka::kafka::handlers {

handler_result offset_fetch(const request& req, connection_context& conn) {
    const auto& b = req.body;
    std::string group(b.str("group_id"));
    auto body = value::make(*messages::offset_fetch.response);
    auto refused = coordinator_error(conn.broker);
    body.set("error_code", code(refused));
    auto add = [&](value& topic_out, const std::string& topic, std::int32_t partition) {
        auto offset = refused == error_code::none ? conn.broker.groups.committed(group, {topic, partition})
                                                  : std::nullopt;
        topic_out.add("partitions")
            .set("partition_index", partition)
            .set("committed_offset", offset.value_or(-1))
            .set("metadata", "")
            .set("error_code", code(refused));
    };
    if (b.at("topics").is_null()) {
        auto view = conn.broker.groups.describe(group);
        std::map<std::string, std::vector<std::int32_t>> by_topic;
        if (view)
            for (const auto& [tp, _] : view->committed) by_topic[tp.topic].push_back(tp.partition);
        for (const auto& [topic, partitions] : by_topic) {
            auto& out = body.add("topics").set("name", topic);
            for (auto p : partitions) add(out, topic, p);
        }
        co_return body;
    }
    for (const auto& topic : b.array("topics")) {
        std::string name(topic.str("name"));
        auto& out = body.add("topics").set("name", name);
        for (const auto& p : topic.array("partition_indexes")) add(out, name, static_cast<std::int32_t>(p.integer()));
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
