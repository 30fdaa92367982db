// CreateTopics (19): through the topic manager, with the HTTP API's checks
// (rules/names.h) and Kafka's codes: 17 for a bad name, 37 for a partition
// count outside 1-100, 38 for a replication factor other than -1 or 1 (a
// follower copies every topic whatever the factor), 39 for manual
// assignments, 40 for a config other than retention.ms / retention.bytes,
// 36 when the name is taken, 41 on a follower (topics are made on the leader).
#include <charconv>
#include <set>
#include <variant>

#include "gafka/rules/names.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/create_topics.h"
#include "gafka/replication/replication_state.h"

namespace gafka::kafka::handlers {
namespace {

struct refusal {
    error_code error;
    std::string message;
};

// A topic config value: an integer of at least -1.
std::optional<std::int64_t> config_number(std::optional<std::string_view> text) {
    if (!text || text->empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < -1) return std::nullopt;
    return v;
}

// The topic's config, or why it is refused.
std::variant<broker::topic_config, refusal> config_of(const value& t, std::int32_t default_partitions) {
    std::string name(t.str("name"));
    if (auto s = rules::check_topic_name(name); !s.ok()) return refusal{error_code::invalid_topic_exception, s.message()};
    broker::topic_config c;
    auto partitions = t.i32("num_partitions");
    c.partitions = partitions == -1 ? default_partitions : partitions;
    if (c.partitions < 1 || c.partitions > rules::max_partitions)
        return refusal{error_code::invalid_partitions,
                       "partitions must be between 1 and " + std::to_string(rules::max_partitions)};
    if (auto rf = t.i16("replication_factor"); rf != -1 && rf != 1)
        return refusal{error_code::invalid_replication_factor,
                       "replication_factor must be -1 or 1: a gafka follower copies every topic"};
    if (!t.array("assignments").empty())
        return refusal{error_code::invalid_replica_assignment, "gafka places partitions itself; give no assignments"};
    for (const auto& entry : t.array("configs")) {
        auto key = entry.str("name");
        auto number = config_number(entry.nullable_str("value"));
        if (key == "retention.ms" && number) c.retention_ms = *number;
        else if (key == "retention.bytes" && number) c.retention_bytes = *number;
        else
            return refusal{error_code::invalid_config,
                           "config '" + std::string(key) +
                               "' is not supported (gafka takes retention.ms and retention.bytes, integers >= -1)"};
    }
    return c;
}

}  // namespace

handler_result create_topics(const request& req, connection_context& conn) {
    auto& b = conn.broker;
    auto body = value::make(*messages::create_topics.response);
    bool leader = !b.repl || b.repl->is_leader();
    std::set<std::string> seen;
    for (const auto& t : req.body.array("topics")) {
        std::string name(t.str("name"));
        auto& out = body.add("topics").set("name", name);
        auto refuse = [&](error_code e, std::string message) {
            out.set("error_code", code(e)).set("error_message", std::move(message));
        };
        if (!seen.insert(name).second) {
            refuse(error_code::invalid_request, "topic '" + name + "' is named twice in one request");
            continue;
        }
        if (!leader) {
            refuse(error_code::not_controller, "this broker is a follower; create topics on its leader");
            continue;
        }
        auto config = config_of(t, b.default_partitions);
        if (auto* r = std::get_if<refusal>(&config)) {
            refuse(r->error, r->message);
            continue;
        }
        if (auto d = b.topics.damaged(name)) {
            refuse(error_code::topic_already_exists, broker::damaged_topic_message(*d));
            continue;
        }
        if (req.body.boolean("validate_only")) {
            if (b.topics.find(name)) refuse(error_code::topic_already_exists, "topic '" + name + "' already exists");
            continue;
        }
        auto created = b.topics.create(name, std::get<broker::topic_config>(config));
        if (!created.ok()) refuse(from_status(created.error()), created.error().message());
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
