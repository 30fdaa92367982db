// CreateTopics (19): through the topic manager, with the HTTP API's checks
// (rules/names.h) and Kafka's codes: 17 for a bad name, 37 for a partition
// count outside 1-100, 38 for a replication factor other than -1 or 1 (a
// follower copies every topic whatever the factor), 39 for manual
// assignments, 40 for a config other than retention.ms / retention.bytes,
// 36 when the name is taken, 41 on a follower (topics are made on the leader).
// In a cluster (--cluster) the controller records each topic in etcd with
// its config (docs/cluster.md), and its replicas create their copies from
// there: a broker that is not the controller answers 41 (Kafka clients send
// CreateTopics to the controller_id from Metadata, and retry on 41); the
// replication factor is -1 (the default) or 1 up to the live brokers (38
// beyond); 36 when etcd or this broker has the topic; 7 when etcd did not
// answer in time. `validate_only` checks and records nothing.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <variant>

#include "gafka/rules/names.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/create_topics.h"
#include "gafka/replication/replication_state.h"
#include "gafka/util/await_status.h"

namespace gafka::kafka::handlers {
namespace {

struct refusal {
    error_code error;
    std::string message;
};

// What a request asks for one topic: its config and replication factor
// (0: the default).
struct wanted_topic {
    broker::topic_config config;
    std::int32_t replication_factor = 0;
};

// A topic config value: an integer of at least -1.
std::optional<std::int64_t> config_number(std::optional<std::string_view> text) {
    if (!text || text->empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < -1) return std::nullopt;
    return v;
}

// The replication factor asked for: -1 is the default (0); standalone 1
// too, in a cluster (`live` brokers) 1 up to `live`.
std::variant<std::int32_t, refusal> replication_factor_of(const value& t, std::optional<std::size_t> live) {
    const std::int32_t rf = t.i16("replication_factor");
    if (rf == -1) return 0;
    if (!live) {
        if (rf == 1) return 0;
        return refusal{error_code::invalid_replication_factor,
                       "replication_factor must be -1 or 1: a gafka follower copies every topic"};
    }
    if (rf < 1 || static_cast<std::size_t>(rf) > *live)
        return refusal{error_code::invalid_replication_factor,
                       "replication factor " + std::to_string(rf) + " is not between 1 and the " +
                           std::to_string(*live) + " live broker(s)"};
    return rf;
}

// The topic asked for, or why it is refused.
std::variant<wanted_topic, refusal> wanted_of(const value& t, std::int32_t default_partitions,
                                              std::optional<std::size_t> live) {
    std::string name(t.str("name"));
    if (auto s = rules::check_topic_name(name); !s.ok()) return refusal{error_code::invalid_topic_exception, s.message()};
    wanted_topic w;
    auto& c = w.config;
    auto partitions = t.i32("num_partitions");
    c.partitions = partitions == -1 ? default_partitions : partitions;
    if (c.partitions < 1 || c.partitions > rules::max_partitions)
        return refusal{error_code::invalid_partitions,
                       "partitions must be between 1 and " + std::to_string(rules::max_partitions)};
    auto rf = replication_factor_of(t, live);
    if (auto* r = std::get_if<refusal>(&rf)) return *r;
    w.replication_factor = std::get<std::int32_t>(rf);
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
    return w;
}

// What the cluster's answer to a creation means in Kafka's words.
error_code cluster_error(const status& s) {
    switch (s.code()) {
        case status_code::already_exists: return error_code::topic_already_exists;
        case status_code::invalid_argument: return error_code::invalid_replication_factor;
        case status_code::not_leader: return error_code::not_controller;
        case status_code::unavailable:
        case status_code::timed_out: return error_code::request_timed_out;
        default: return from_status(s);
    }
}

std::size_t live_brokers(const cluster::cluster_view& v) {
    return static_cast<std::size_t>(
        std::count_if(v.brokers.begin(), v.brokers.end(), [](const auto& b) { return b.live; }));
}

bool recorded(const cluster::cluster_view& v, const std::string& name) {
    return std::any_of(v.partitions.begin(), v.partitions.end(), [&](const auto& p) { return p.topic == name; });
}

}  // namespace

handler_result create_topics(const request& req, connection_context& conn) {
    auto& b = conn.broker;
    auto body = value::make(*messages::create_topics.response);
    bool leader = !b.repl || b.repl->is_leader();
    std::optional<cluster::cluster_view> cluster;
    if (b.cluster && b.core && b.core->create_in_cluster) cluster = b.cluster();
    std::optional<std::size_t> live;
    if (cluster) live = live_brokers(*cluster);
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
        if (cluster && !cluster->is_controller) {
            refuse(error_code::not_controller,
                   "broker " + std::to_string(b.node_id) + " is not the controller" +
                       (cluster->controller_id >= 0 ? "; broker " + std::to_string(cluster->controller_id) + " is"
                                                    : std::string()));
            continue;
        }
        auto wanted = wanted_of(t, b.default_partitions, live);
        if (auto* r = std::get_if<refusal>(&wanted)) {
            refuse(r->error, r->message);
            continue;
        }
        if (auto d = b.topics.damaged(name)) {
            refuse(error_code::topic_already_exists, broker::damaged_topic_message(*d));
            continue;
        }
        if (b.topics.find(name) || (cluster && recorded(*cluster, name))) {
            refuse(error_code::topic_already_exists, "topic '" + name + "' already exists");
            continue;
        }
        if (req.body.boolean("validate_only")) continue;
        const auto& w = std::get<wanted_topic>(wanted);
        if (cluster) {
            // The callable holds one pointer: g++ 12 destroys a co_await
            // expression's temporaries twice, harmless only for trivial ones.
            const struct {
                broker::core& core;
                const std::string& name;
                const wanted_topic& w;
            } ask{*b.core, name, w};
            auto s = co_await util::await_status([a = &ask](auto done) {
                a->core.create_in_cluster(a->name, a->w.config, a->w.replication_factor, false, std::move(done));
            });
            if (!s.ok()) refuse(cluster_error(s), s.message());
            continue;
        }
        auto created = b.topics.create(name, w.config);
        if (!created.ok()) refuse(from_status(created.error()), created.error().message());
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
