// Cluster and operations endpoints: /api/v1/metadata, /healthz (/metrics: handlers_metrics.cpp).
#include <algorithm>
#include <optional>
#include <set>

#include "gafka/http/context.h"
#include "gafka/http/json_writer.h"
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

// What /healthz and /api/v1/metadata both say of the cluster (--cluster).
void write_cluster_state(json_writer& out, const cluster::cluster_view& c) {
    out.key("name");
    out.str(c.name);
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
        out.key("leader");
        w.Int(p.leader);
        out.key("leader_epoch");
        w.Int(p.leader_epoch);
        out.key("replicas");
        write_ids(out, p.replicas);
        out.key("isr");
        write_ids(out, p.isr);
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

}  // namespace

response handle_metadata(const request& req, server_context& ctx) {
    auto v = view_of(ctx);
    auto now = util::steady_clock_ms();
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("brokers");
    w.StartArray();
    for (const auto& b : v.brokers) {
        w.StartObject();
        out.key("id");
        w.Int(b.id);
        out.key("host");
        out.str(b.host);
        out.key("port");
        w.Uint(b.port);
        w.EndObject();
    }
    w.EndArray();
    out.key("controller_id");
    w.Int(v.leader_id);
    out.key("role");
    out.str(v.leader ? "leader" : "follower");
    out.key("leader_epoch");
    w.Int(v.epoch);
    out.key("topics");
    w.StartArray();
    for (const auto& t : ctx.topics.list()) {
        w.StartObject();
        out.key("name");
        out.str(t->name);
        out.key("partitions");
        w.StartArray();
        for (const auto& p : t->partitions) {
            auto s = p->snapshot();
            w.StartObject();
            out.key("partition");
            w.Int(p->id());
            out.key("leader");
            w.Int(v.leader_id);
            out.key("leader_epoch");
            w.Int(v.leader ? s.leader_epoch : v.epoch);
            out.key("replicas");
            write_ids(out, replicas_of(v, s, ctx.self.id));
            out.key("isr");
            write_ids(out, !s.isr.empty() || v.leader_id < 0 ? s.isr : std::vector<replica_id>{v.leader_id});
            out.key("log_end_offset");
            w.Int64(s.log_end);
            out.key("high_watermark");
            w.Int64(s.high_watermark);
            // Follower lag in records: on a leader for each follower, on a
            // follower for itself against the leader's log end.
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
                lag_entry(ctx.self.id, s.log_end, s.leader_log_end - s.log_end,
                          std::find(s.isr.begin(), s.isr.end(), ctx.self.id) != s.isr.end());
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    if (ctx.cluster) {
        out.key("cluster");
        write_cluster(out, ctx.cluster());
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

}  // namespace gafka::http
