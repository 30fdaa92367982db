// GET /metrics: the broker's counters, gauges and latency histograms in the
// Prometheus text format (the writer is metrics_text.h). Every metric, its
// type and labels are listed in docs/api.md.
#include <algorithm>

#include "gafka/http/context.h"
#include "gafka/http/group_lag.h"
#include "gafka/http/metrics_text.h"
#include "gafka/http/router.h"
#include "gafka/util/clock.h"

namespace gafka::http {
namespace {

void traffic(metrics_text& m, server_context& ctx) {
    m.family("gafka_records_in_total", "counter", "Records appended to a topic by produce requests.");
    m.family("gafka_bytes_in_total", "counter", "Key and value bytes of the records produced to a topic.");
    m.family("gafka_records_out_total", "counter", "Records of a topic served to consumers.");
    m.family("gafka_bytes_out_total", "counter", "Key and value bytes of the records of a topic served to consumers.");
    for (const auto& t : ctx.topics.list()) {
        metric_labels l{{"topic", t->name}};
        m.sample("gafka_records_in_total", l, t->records_in.load());
        m.sample("gafka_bytes_in_total", l, t->bytes_in.load());
        m.sample("gafka_records_out_total", l, t->records_out.load());
        m.sample("gafka_bytes_out_total", l, t->bytes_out.load());
    }
}

void latencies(metrics_text& m, server_context& ctx) {
    m.family("gafka_request_duration_seconds", "histogram",
             "Time from a request's arrival to its answer, by route pattern (long polls included).");
    auto table = routes();
    for (std::size_t i = 0; i <= table.size(); ++i) {
        auto route = i < table.size() ? table[i].method + " " + table[i].pattern : std::string("other");
        m.histogram("gafka_request_duration_seconds", {{"route", route}}, ctx.request_seconds[i].snapshot());
    }
    m.family("gafka_fsync_duration_seconds", "histogram", "Time one group-commit fsync of a partition log took.");
    m.histogram("gafka_fsync_duration_seconds", {},
                ctx.fsync_seconds ? ctx.fsync_seconds->snapshot() : util::histogram{}.snapshot());
}

void partitions(metrics_text& m, server_context& ctx) {
    m.family("gafka_log_end_offset", "gauge", "One past the last record of a partition.");
    m.family("gafka_high_watermark", "gauge", "One past the last record consumers may read.");
    m.family("gafka_isr_size", "gauge", "In-sync replicas of a partition, the leader included.");
    m.family("gafka_replica_lag_records", "gauge",
             "Records a follower is behind the leader's log end (on a follower: its own lag).");
    m.family("gafka_replica_in_sync", "gauge", "1 when the follower is in the partition's ISR (leader only).");
    m.family("gafka_replica_last_fetch_age_seconds", "gauge", "Seconds since the follower last fetched (leader only).");
    auto now = util::steady_clock_ms();
    for (const auto& t : ctx.topics.list())
        for (const auto& p : t->partitions) {
            auto s = p->snapshot();
            metric_labels l{{"topic", t->name}, {"partition", std::to_string(p->id())}};
            auto with_replica = [&](replication::replica_id id) {
                auto r = l;
                r.emplace_back("replica", std::to_string(id));
                return r;
            };
            m.sample("gafka_log_end_offset", l, std::int64_t{s.log_end});
            m.sample("gafka_high_watermark", l, std::int64_t{s.high_watermark});
            m.sample("gafka_isr_size", l, static_cast<std::int64_t>(s.isr.empty() ? 1 : s.isr.size()));
            if (s.leader) {
                for (const auto& f : s.followers) {
                    auto r = with_replica(f.id);
                    m.sample("gafka_replica_lag_records", r, std::max<std::int64_t>(0, s.log_end - f.position));
                    m.sample("gafka_replica_in_sync", r, std::int64_t{f.in_sync ? 1 : 0});
                    m.sample("gafka_replica_last_fetch_age_seconds", r,
                             static_cast<double>(now - f.last_fetch_ms) / 1000.0);
                }
            } else {
                m.sample("gafka_replica_lag_records", with_replica(ctx.self.id),
                         std::max<std::int64_t>(0, s.leader_log_end - s.log_end));
            }
        }
}

void groups(metrics_text& m, server_context& ctx) {
    m.family("gafka_group_lag", "gauge",
             "Records of a partition a consumer group has not committed (high watermark minus committed offset).");
    m.family("gafka_group_total_lag", "gauge", "The sum of a consumer group's lag over its partitions.");
    for (const auto& v : ctx.groups.list()) {
        std::int64_t total = 0;
        for (const auto& l : group_lags(ctx.topics, v)) {
            total += l.lag;
            m.sample("gafka_group_lag",
                     {{"group", v.group_id}, {"topic", l.tp.topic}, {"partition", std::to_string(l.tp.partition)}},
                     l.lag);
        }
        m.sample("gafka_group_total_lag", {{"group", v.group_id}}, total);
    }
}

// Only with --cluster: a standalone broker has no etcd to report on.
void cluster_gauges(metrics_text& m, server_context& ctx) {
    if (!ctx.cluster) return;
    auto c = ctx.cluster();
    m.family("gafka_cluster_etcd_up", "gauge", "1 when the broker's last lease renewal reached etcd.");
    m.sample("gafka_cluster_etcd_up", {}, std::int64_t{c.etcd_up ? 1 : 0});
    m.family("gafka_cluster_is_controller", "gauge", "1 when this broker is the cluster's controller.");
    m.sample("gafka_cluster_is_controller", {}, std::int64_t{c.is_controller ? 1 : 0});
    m.family("gafka_cluster_controller_epoch", "gauge", "The epoch of the controller this broker knows (0: none).");
    m.sample("gafka_cluster_controller_epoch", {}, std::int64_t{c.controller_epoch});
}

}  // namespace

response handle_metrics(const request& req, server_context& ctx) {
    metrics_text m;
    m.family("gafka_requests_total", "counter", "HTTP requests received.");
    m.sample("gafka_requests_total", {}, ctx.requests.load());
    m.family("gafka_open_connections", "gauge", "Open client connections.");
    m.sample("gafka_open_connections", {}, ctx.open_connections.load());
    m.family("gafka_connections_refused_total", "counter", "Connections answered 503 over --max-connections.");
    m.sample("gafka_connections_refused_total", {}, ctx.refused_connections.load());
    m.family("gafka_long_polls_waiting", "gauge", "Consume requests waiting for records (long polls).");
    m.sample("gafka_long_polls_waiting", {}, ctx.core.long_polls.waiting());
    m.family("gafka_long_polls_over_limit_total", "counter",
             "Consume requests answered at once because --max-long-polls were waiting.");
    m.sample("gafka_long_polls_over_limit_total", {}, ctx.core.long_polls.over_limit());
    m.family("gafka_unauthorized_total", "counter", "Requests answered 401 for a missing or wrong bearer token.");
    m.sample("gafka_unauthorized_total", {}, ctx.unauthorized.load());
    if (ctx.more_metrics) ctx.more_metrics(m);
    bool leader = !ctx.core.repl || ctx.core.repl->is_leader();
    m.family("gafka_leader", "gauge", "1 when this broker leads its partitions, 0 when it follows.");
    m.sample("gafka_leader", {}, std::int64_t{leader ? 1 : 0});
    m.family("gafka_leader_epoch", "gauge", "The leader epoch this broker leads at or last saw its leader at.");
    m.sample("gafka_leader_epoch", {}, static_cast<std::int64_t>(ctx.core.repl ? ctx.core.repl->epoch() : 0));
    m.family("gafka_damaged_topics", "gauge",
             "Topics on disk not served because their files could not be read at start (see /healthz).");
    m.sample("gafka_damaged_topics", {}, static_cast<std::int64_t>(ctx.topics.damaged_topics().size()));
    traffic(m, ctx);
    latencies(m, ctx);
    partitions(m, ctx);
    groups(m, ctx);
    cluster_gauges(m, ctx);
    auto res = json_response(req, beast_http::status::ok, m.str());
    res.set(beast_http::field::content_type, "text/plain; version=0.0.4");
    return res;
}

}  // namespace gafka::http
