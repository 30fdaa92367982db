// Cluster and operations endpoints: /api/v1/metadata, /healthz,
// /api/v1/cluster/elect-leaders (/metrics: handlers_metrics.cpp).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <rapidjson/document.h>

#include "gafka/http/context.h"
#include "gafka/http/json_writer.h"
#include "gafka/rules/names.h"
#include "gafka/util/clock.h"

namespace gafka::http {
namespace {

using replication::replica_address;
using replication::replica_id;

// Who this broker knows: itself, and its leader or its followers.
struct cluster_view {
    bool leader = true;
    replica_id leader_id = -1;
    log::epoch_t epoch = 0;
    std::vector<replica_address> brokers;  // sorted by id
    std::vector<replica_id> follower_ids;  // on a leader
};

cluster_view view_of(const server_context& ctx) {
    cluster_view v;
    replica_address self{ctx.self.id, ctx.self.host, ctx.self.port};
    v.brokers.push_back(self);
    if (!ctx.core.repl) {
        v.leader_id = ctx.self.id;
        return v;
    }
    v.leader = ctx.core.repl->is_leader();
    v.epoch = ctx.core.repl->epoch();
    if (v.leader) {
        v.leader_id = ctx.self.id;
        for (const auto& f : ctx.core.repl->followers()) {
            if (f.id == ctx.self.id) continue;
            v.brokers.push_back(f);
            v.follower_ids.push_back(f.id);
        }
    } else if (auto l = ctx.core.repl->leader(); l && l->id >= 0 && l->id != ctx.self.id) {
        v.leader_id = l->id;
        v.brokers.push_back(*l);
    }
    std::sort(v.brokers.begin(), v.brokers.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return v;
}

void write_ids(json_writer& out, const std::vector<replica_id>& ids) {
    out.w().StartArray();
    for (auto id : ids) out.w().Int(id);
    out.w().EndArray();
}

void write_assignment(json_writer& out, replica_id leader, log::epoch_t epoch, const std::vector<replica_id>& replicas,
                      const std::vector<replica_id>& isr) {
    out.key("leader");
    out.w().Int(leader);
    out.key("leader_epoch");
    out.w().Int(epoch);
    out.key("replicas");
    write_ids(out, replicas);
    out.key("isr");
    write_ids(out, isr);
}

// What /healthz and /api/v1/metadata both say of the cluster (--cluster).
void write_cluster_state(json_writer& out, const cluster::cluster_view& c) {
    out.key("name");
    out.str(c.name);
    out.key("session_timeout_ms");
    out.w().Int64(c.session_timeout_ms);
    out.key("etcd_up");
    out.w().Bool(c.etcd_up);
    out.key("registered");
    out.w().Bool(c.registered);
}

// The cluster this broker is a member of: its brokers as etcd lists them,
// and its controller.
void write_cluster(json_writer& out, const cluster::cluster_view& c) {
    auto& w = out.w();
    w.StartObject();
    write_cluster_state(out, c);
    out.key("controller");
    w.StartObject();
    out.key("id");
    w.Int(c.controller_id);
    out.key("epoch");
    w.Int64(c.controller_epoch);
    w.EndObject();
    out.key("brokers");
    w.StartArray();
    for (const auto& b : c.brokers) {
        w.StartObject();
        out.key("id");
        w.Int(b.id);
        out.key("host");
        out.str(b.host);
        out.key("port");
        w.Uint(b.port);
        if (!b.kafka_host.empty()) {
            out.key("kafka_host");
            out.str(b.kafka_host);
            out.key("kafka_port");
            w.Uint(b.kafka_port);
        }
        out.key("live");
        w.Bool(b.live);
        w.EndObject();
    }
    w.EndArray();
    // The partitions as the controller recorded them (docs/cluster.md).
    std::int64_t under_replicated = 0;
    out.key("partitions");
    w.StartArray();
    for (const auto& p : c.partitions) {
        w.StartObject();
        out.key("topic");
        out.str(p.topic);
        out.key("partition");
        w.Int(p.partition);
        write_assignment(out, p.leader, p.leader_epoch, p.replicas, p.isr);
        w.EndObject();
        if (p.isr.size() < p.replicas.size()) ++under_replicated;
    }
    w.EndArray();
    out.key("under_replicated_partitions");
    w.Int64(under_replicated);
    w.EndObject();
}

std::vector<replica_id> replicas_of(const cluster_view& v, const broker::replica_snapshot& s, replica_id self) {
    std::vector<replica_id> out;
    if (v.leader_id >= 0) out.push_back(v.leader_id);
    std::set<replica_id> rest(v.follower_ids.begin(), v.follower_ids.end());
    for (const auto& f : s.followers) rest.insert(f.id);
    if (!v.leader) rest.insert(self);
    for (auto id : rest)
        if (id != v.leader_id) out.push_back(id);
    return out;
}

// This broker's copy of a partition: its log end, high watermark and the
// follower lag (on a leader for each follower, on a follower for itself
// against the leader's log end).
void write_local(json_writer& out, const broker::replica_snapshot& s, const cluster_view& v, replica_id self,
                 std::int64_t now) {
    auto& w = out.w();
    out.key("log_end_offset");
    w.Int64(s.log_end);
    out.key("high_watermark");
    w.Int64(s.high_watermark);
    out.key("followers");
    w.StartArray();
    auto lag_entry = [&](replica_id id, log::offset_t at, log::offset_t lag, bool in_sync) {
        w.StartObject();
        out.key("id");
        w.Int(id);
        out.key("log_end_offset");
        w.Int64(at);
        out.key("lag");
        w.Int64(std::max<log::offset_t>(0, lag));
        out.key("in_sync");
        w.Bool(in_sync);
    };
    if (v.leader) {
        for (const auto& f : s.followers) {
            lag_entry(f.id, f.position, s.log_end - f.position, f.in_sync);
            out.key("last_fetch_ms_ago");
            w.Int64(now - f.last_fetch_ms);
            w.EndObject();
        }
    } else {
        lag_entry(self, s.log_end, s.leader_log_end - s.log_end,
                  std::find(s.isr.begin(), s.isr.end(), self) != s.isr.end());
        w.EndObject();
    }
    w.EndArray();
}

// What a topic is made of here: this broker's copy (null: none) and, in a
// cluster, its partitions as etcd records them (empty: not in etcd).
struct topic_entry {
    std::shared_ptr<broker::topic> local;
    std::vector<const cluster::partition_view*> recorded;
};

// A cluster's metadata comes from etcd once this broker knows a live broker
// there; before that (etcd never reached) it answers as a lone broker.
bool knows_live_brokers(const cluster::cluster_view& c) {
    return std::any_of(c.brokers.begin(), c.brokers.end(), [](const auto& b) { return b.live; });
}

void write_brokers(json_writer& out, const cluster_view& v, const cluster::cluster_view* c) {
    auto& w = out.w();
    auto one = [&](replica_id id, const std::string& host, std::uint16_t port) {
        w.StartObject();
        out.key("id");
        w.Int(id);
        out.key("host");
        out.str(host);
        out.key("port");
        w.Uint(port);
        w.EndObject();
    };
    w.StartArray();
    if (c) {
        for (const auto& b : c->brokers)
            if (b.live) one(b.id, b.host, b.port);
    } else {
        for (const auto& b : v.brokers) one(b.id, b.host, b.port);
    }
    w.EndArray();
}

}  // namespace

// In a cluster (docs/cluster.md, "What clients see"): every live broker, the
// controller, and the partitions of the topics in etcd as the controller
// recorded them; topics only this broker has are answered as a lone broker
// would. Otherwise: this broker and its leader or followers.
response handle_metadata(const request& req, server_context& ctx) {
    auto v = view_of(ctx);
    std::optional<cluster::cluster_view> cluster_state;
    if (ctx.cluster) cluster_state = ctx.cluster();
    const cluster::cluster_view* c =
        cluster_state && knows_live_brokers(*cluster_state) ? &*cluster_state : nullptr;
    auto now = util::steady_clock_ms();
    std::map<std::string, topic_entry> topics;
    for (auto& t : ctx.topics.list()) topics[t->name].local = t;
    if (c)
        for (const auto& p : c->partitions) topics[p.topic].recorded.push_back(&p);
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("brokers");
    write_brokers(out, v, c);
    out.key("controller_id");
    w.Int(c ? c->controller_id : v.leader_id);
    out.key("role");
    out.str(v.leader ? "leader" : "follower");
    out.key("leader_epoch");
    w.Int(v.epoch);
    out.key("topics");
    w.StartArray();
    for (const auto& [name, t] : topics) {
        w.StartObject();
        out.key("name");
        out.str(name);
        out.key("partitions");
        w.StartArray();
        if (!t.recorded.empty()) {
            for (const auto* p : t.recorded) {
                w.StartObject();
                out.key("partition");
                w.Int(p->partition);
                write_assignment(out, p->leader, p->leader_epoch, p->replicas, p->isr);
                // Offsets of this broker's copy, where it holds one: a replica (every broker
                // has each partition of a topic it has, empty where it is no replica).
                bool replica = std::find(p->replicas.begin(), p->replicas.end(), ctx.self.id) != p->replicas.end();
                if (replica && t.local && p->partition >= 0 &&
                    static_cast<std::size_t>(p->partition) < t.local->partitions.size())
                    write_local(out, t.local->partitions[p->partition]->snapshot(), v, ctx.self.id, now);
                w.EndObject();
            }
        } else {
            for (const auto& p : t.local->partitions) {
                auto s = p->snapshot();
                w.StartObject();
                out.key("partition");
                w.Int(p->id());
                write_assignment(out, v.leader_id, v.leader ? s.leader_epoch : v.epoch, replicas_of(v, s, ctx.self.id),
                                 !s.isr.empty() || v.leader_id < 0 ? s.isr : std::vector<replica_id>{v.leader_id});
                write_local(out, s, v, ctx.self.id, now);
                w.EndObject();
            }
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    if (cluster_state) {
        out.key("cluster");
        write_cluster(out, *cluster_state);
    }
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

// Still 200 with a damaged topic or etcd out of reach: the broker serves
// every other topic, and serves on without etcd, so a load balancer or
// supervisor must not take it out; "degraded" and the details tell a person
// what to repair.
response handle_healthz(const request& req, server_context& ctx) {
    const auto& damaged = ctx.topics.damaged_topics();
    std::optional<cluster::cluster_view> c;
    if (ctx.cluster) c = ctx.cluster();
    bool cluster_ok = !c || (c->etcd_up && c->registered);
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("status");
    out.str(damaged.empty() && cluster_ok ? "ok" : "degraded");
    out.key("broker_id");
    w.Int(ctx.self.id);
    if (c) {
        // Degraded, not down: the broker serves on while etcd is away.
        out.key("cluster");
        w.StartObject();
        write_cluster_state(out, *c);
        out.key("is_controller");
        w.Bool(c->is_controller);
        w.EndObject();
    }
    if (!damaged.empty()) {
        out.key("damaged_topics");
        w.StartArray();
        for (const auto& d : damaged) {
            w.StartObject();
            out.key("topic");
            out.str(d.name);
            out.key("path");
            out.str(d.path.string());
            out.key("reason");
            out.str(d.reason);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

// The controller moves each partition's leadership (of the body's "topic",
// else of every topic) back to its preferred replica (docs/cluster.md,
// "Preferred leaders"); another broker answers 421 not_controller, a
// standalone one 400 not_in_cluster.
boost::asio::awaitable<response> handle_elect_leaders(const request& req, server_context& ctx) {
    std::string topic;
    if (!req.body().empty()) {
        rapidjson::Document d;
        d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(req.body().data(),
                                                                                        req.body().size());
        if (d.HasParseError() || !d.IsObject())
            co_return error_response(req, api_error::invalid("invalid_json", "the body must be a JSON object"));
        for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it)
            if (std::string_view(it->name.GetString(), it->name.GetStringLength()) != "topic")
                co_return error_response(
                    req, api_error::bad_request("unknown field '" + std::string(it->name.GetString()) + "'"));
        if (d.HasMember("topic")) {
            if (!d["topic"].IsString())
                co_return error_response(req, api_error::bad_request("'topic' must be a string"));
            topic.assign(d["topic"].GetString(), d["topic"].GetStringLength());
            if (auto s = rules::check_topic_name(topic); !s.ok())
                co_return error_response(req, api_error::invalid("invalid_topic", s.message()));
        }
    }
    if (!ctx.elect_leaders_in_cluster)
        co_return error_response(req, api_error::invalid("not_in_cluster",
                                                         "this broker runs standalone (no --cluster): it has no "
                                                         "preferred replicas to elect"));
    std::vector<cluster::elected_leader> elected;
    auto s = co_await ctx.elect_leaders_in_cluster(topic, elected);
    if (!s.ok()) {
        auto e = s.code() == status_code::not_found ? api_error::unknown_topic(topic) : api_error::from_status(s);
        co_return error_response(req, cluster_refusal(ctx, e, s));
    }
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("elected");
    w.StartArray();
    for (const auto& l : elected) {
        w.StartObject();
        out.key("topic");
        out.str(l.topic);
        out.key("partition");
        w.Int(l.partition);
        out.key("leader");
        w.Int(l.leader);
        out.key("leader_epoch");
        w.Int(l.leader_epoch);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    co_return json_response(req, beast_http::status::ok, out.take());
}

}  // namespace gafka::http
