// Metadata (3): on a leader (or a lone broker), this broker as the only one
// Kafka clients are told of (the leader of every partition, its one replica
// and the controller); on a follower, its leader too, named leader of every
// partition so that clients write there (LEADER_NOT_AVAILABLE until the
// leader has told its Kafka address, or when it has no Kafka listener). In
// a cluster (--cluster), the cluster as etcd holds it: every live broker
// with a Kafka listener, the controller, and each recorded partition's
// leader, epoch, replicas and ISR (LEADER_NOT_AVAILABLE while its leader is
// not live or has no Kafka listener); topics only this broker has are
// answered as above. The topics asked for (null: all), created on the way
// when both the request and the broker allow it: in a cluster by the
// controller (asked by this broker when it is another; docs/cluster.md), the
// topic answered LEADER_NOT_AVAILABLE until this broker's view has its
// partitions (clients ask again on 5).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/metadata.h"
#include "gafka/replication/replication_state.h"
#include "gafka/rules/names.h"
#include "gafka/util/logging.h"

namespace gafka::kafka::handlers {
namespace {

// Who leads every partition here, as Kafka clients reach it.
struct leadership {
    node_id_t self = 1;
    std::optional<replication::replica_address> leader;  // a follower's leader; nullopt: not known
    bool follower = false;
};

leadership leadership_of(const broker_context& b) {
    leadership l{b.node_id, std::nullopt, b.repl && !b.repl->is_leader()};
    if (l.follower) l.leader = b.repl->leader_kafka();
    return l;
}

void describe(value& out, const broker::topic& t, const leadership& l) {
    out.set("name", t.name);
    for (const auto& p : t.partitions) {
        auto& part = out.add("partitions");
        part.set("partition_index", p->id());
        if (!l.follower) {
            part.set("leader_id", l.self).set("leader_epoch", p->leader_epoch());
            part.at("replica_nodes").items().emplace_back(std::int64_t{l.self});
            part.at("isr_nodes").items().emplace_back(std::int64_t{l.self});
        } else if (!l.leader) {
            part.set("error_code", code(error_code::leader_not_available)).set("leader_id", -1);
        } else {
            part.set("leader_id", l.leader->id).set("leader_epoch", p->leader_epoch());
            for (std::int64_t id : {std::int64_t{l.leader->id}, std::int64_t{l.self}})
                part.at("replica_nodes").items().emplace_back(id);
            auto isr = p->snapshot().isr;  // as the leader last said; before that, the leader alone
            if (isr.empty()) isr.push_back(l.leader->id);
            for (auto id : isr) part.at("isr_nodes").items().emplace_back(std::int64_t{id});
        }
    }
}

// The cluster as Kafka clients see it: the live brokers with a Kafka
// listener and the recorded partitions by topic. Null without --cluster or
// before this broker knows any such broker (it then answers alone).
struct cluster_answer {
    cluster::cluster_view view;
    std::map<std::string, std::vector<const cluster::partition_view*>, std::less<>> topics;
    bool reachable(node_id_t id) const {
        return std::any_of(view.brokers.begin(), view.brokers.end(),
                           [&](const auto& b) { return b.id == id && b.live && !b.kafka_host.empty(); });
    }
};

std::unique_ptr<cluster_answer> cluster_of(const broker_context& b) {
    if (!b.cluster) return nullptr;
    auto c = std::make_unique<cluster_answer>();
    c->view = b.cluster();
    if (!std::any_of(c->view.brokers.begin(), c->view.brokers.end(),
                     [](const auto& x) { return x.live && !x.kafka_host.empty(); }))
        return nullptr;
    for (const auto& p : c->view.partitions) c->topics[p.topic].push_back(&p);
    return c;
}

void describe_recorded(value& out, const std::string& name, const std::vector<const cluster::partition_view*>& parts,
                       const cluster_answer& c) {
    out.set("name", name).set("is_internal", rules::is_internal_topic(name) ? 1 : 0);  // as Kafka shows __consumer_offsets
    for (const auto* p : parts) {
        auto& part = out.add("partitions");
        part.set("partition_index", p->partition);
        if (c.reachable(p->leader)) part.set("leader_id", p->leader).set("leader_epoch", p->leader_epoch);
        else part.set("error_code", code(error_code::leader_not_available)).set("leader_id", -1);
        for (auto id : p->replicas) part.at("replica_nodes").items().emplace_back(std::int64_t{id});
        for (auto id : p->isr) part.at("isr_nodes").items().emplace_back(std::int64_t{id});
    }
}

// Asks the cluster for topic `name` and goes on: the Metadata answer does
// not wait for it.
void create_in_cluster(broker::core& core, const std::string& name, const broker::topic_config& config) {
    core.create_in_cluster(name, config, 0, true, [name](status s) {
        if (s.ok()) util::logger("kafka")->info("topic '{}' recorded in the cluster for a metadata request", name);
        else if (s.code() != status_code::already_exists)
            util::logger("kafka")->warn("cannot create topic '{}' for a metadata request: {}", name, s.message());
    });
}

// The topic `name` asks for when it is not served: created (when allowed),
// or the error that says why not.
std::shared_ptr<broker::topic> create_or_refuse(broker_context& b, const std::string& name, bool allowed,
                                                error_code& error) {
    if (b.topics.damaged(name)) {
        error = error_code::kafka_storage_error;
        return nullptr;
    }
    if (!rules::check_topic_name(name).ok()) {
        error = error_code::invalid_topic_exception;
        return nullptr;
    }
    bool leader = !b.repl || b.repl->is_leader();
    if (!allowed || !b.auto_create_topics || !leader) {
        error = error_code::unknown_topic_or_partition;
        return nullptr;
    }
    broker::topic_config config;
    config.partitions = b.default_partitions;
    if (b.core && b.core->create_in_cluster) {
        create_in_cluster(*b.core, name, config);
        error = error_code::leader_not_available;
        return nullptr;
    }
    auto created = b.topics.create(name, config);
    if (created.ok()) {
        util::logger("kafka")->info("created topic '{}' ({} partitions) for a metadata request", name,
                                    config.partitions);
        return *created;
    }
    if (auto t = b.topics.find(name)) return t;  // another request created it first
    error = from_status(created.error());
    return nullptr;
}

}  // namespace

value metadata_answer(broker_context& b, const value& req, api_version_t version) {
    auto body = value::make(*messages::metadata.response);
    auto l = leadership_of(b);
    auto c = cluster_of(b);
    if (c) {
        for (const auto& x : c->view.brokers)
            if (x.live && !x.kafka_host.empty())
                body.add("brokers").set("node_id", x.id).set("host", x.kafka_host).set("port", x.kafka_port);
        body.set("cluster_id", "gafka").set("controller_id", c->view.controller_id);
    } else {
        body.add("brokers").set("node_id", b.node_id).set("host", b.host).set("port", b.port);
        if (l.leader)
            body.add("brokers").set("node_id", l.leader->id).set("host", l.leader->host).set("port", l.leader->port);
        body.set("cluster_id", "gafka").set("controller_id", l.leader ? l.leader->id : b.node_id);
    }
    // Before version 4 a request cannot ask, and the broker's setting decides.
    bool allow_create = version < 4 || req.boolean("allow_auto_topic_creation");
    const value& wanted = req.at("topics");
    // Version 0 has no null: an empty list means every topic there.
    if (wanted.is_null() || (version == 0 && wanted.items().empty())) {
        std::map<std::string, std::shared_ptr<broker::topic>> all;  // by name: recorded and local ones together
        for (auto& t : b.topics.list()) all[t->name] = t;
        if (c)
            for (const auto& [name, parts] : c->topics) all.try_emplace(name);
        for (const auto& [name, t] : all) {
            if (c && c->topics.contains(name)) describe_recorded(body.add("topics"), name, c->topics.at(name), *c);
            else describe(body.add("topics"), *t, l);
        }
        return body;
    }
    std::set<std::string> seen;
    for (const auto& w : wanted.items()) {
        std::string name(w.str("name"));
        if (!seen.insert(name).second) continue;
        auto& out = body.add("topics");
        if (c && c->topics.contains(name)) {
            describe_recorded(out, name, c->topics.at(name), *c);
            continue;
        }
        auto t = b.topics.find(name);
        error_code error = error_code::none;
        if (!t) t = create_or_refuse(b, name, allow_create, error);
        if (t) describe(out, *t, l);
        else out.set("name", name).set("error_code", code(error));
    }
    return body;
}

handler_result metadata(const request& req, connection_context& conn) {
    co_return metadata_answer(conn.broker, req.body, req.header.api_version);
}

}  // namespace gafka::kafka::handlers
