#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/server/broker.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <set>
#include <thread>

#include <sys/resource.h>

#include <csignal>

#include "gafka/broker/classic_groups.h"
#include "gafka/broker/core.h"
#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/cluster/member.h"
#include "gafka/http/server.h"
#include "gafka/kafka/server.h"
#include "gafka/replication/promotion.h"
#include "gafka/replication/replica_fetcher.h"
#include "gafka/replication/replica_fetchers.h"
#include "gafka/replication/replication_state.h"
#include "gafka/rules/names.h"
#include "gafka/server/cluster_replicas.h"
#include "gafka/server/cluster_topics.h"
#include "gafka/server/kafka_metrics.h"
#include "gafka/util/await_status.h"
#include "gafka/util/clock.h"
#include "gafka/util/histogram.h"
#include "gafka/util/host_port.h"
#include "gafka/util/logging.h"

namespace gafka::server {
namespace asio = boost::asio;
using broker::classic_groups;
using broker::group_coordinator;
using broker::offsets_store;
using broker::topic_manager;
using broker::topic_partition;
namespace {

// Runs `work` every `period` until the io_context stops.
asio::awaitable<void> every(std::chrono::milliseconds period, std::function<void()> work) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(period);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        work();
    }
}

// Each connection is a file descriptor: raise the soft limit on open files
// to the hard one, and say so when --max-connections cannot be reached.
void raise_fd_limit(std::int64_t max_connections) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    // Logs, indexes and the broker's own sockets need some too.
    constexpr std::int64_t reserve = 256;
    if (rl.rlim_cur != RLIM_INFINITY && static_cast<std::int64_t>(rl.rlim_cur) < max_connections + reserve)
        util::logger("broker")->warn(
            "open files are limited to {} (ulimit -n): fewer than --max-connections {} plus {} for logs; "
            "connections past the limit fail to be accepted",
            static_cast<std::int64_t>(rl.rlim_cur), max_connections, reserve);
}

// Offsets of topics that are gone: the broker stopped between deleting a
// topic and recording that its offsets went too, or the data dir is from a
// gafka that kept them. Left, they would apply to a new topic of that name.
// A damaged topic is not gone (its files wait for repair), nor are its offsets.
status drop_offsets_of_missing_topics(group_coordinator& groups, const topic_manager& topics,
                                      offsets_store& offsets) {
    std::set<std::string> missing;
    for (const auto& g : groups.list())
        for (const auto& [tp, _] : g.committed)
            if (!topics.find(tp.topic) && !topics.damaged(tp.topic)) missing.insert(tp.topic);
    if (missing.empty()) return {};
    for (const auto& topic : missing) {
        util::logger("broker")->warn("removing the group offsets of topic '{}', which no longer exists", topic);
        if (auto s = groups.remove_topic(topic, util::steady_clock_ms()); !s.ok()) return s;
    }
    return offsets.sync();
}

}  // namespace

int run_broker(const broker_config& config) {
    auto lg = util::logger("broker");
    // A client that closes its connection while its answer is written must
    // cost that connection only: sendfile(2) (the Kafka port's fetches) has
    // no MSG_NOSIGNAL, so a write to a closed socket would raise SIGPIPE,
    // which the programs' default handler turns into an exit.
    std::signal(SIGPIPE, SIG_IGN);
    replication::replication_options ro;
    ro.self = config.id;
    ro.follower = config.follower;
    ro.isr = {config.replica_lag_max.count(), config.min_insync};
    if (config.follower) {
        auto leader = util::parse_host_port_list(config.leader);
        if (!leader.ok() || leader->size() != 1) {
            lg->error("--leader must be one HOST:PORT: {}", leader.ok() ? config.leader : leader.error().message());
            return 2;
        }
        ro.leader = replication::replica_address{-1, (*leader)[0].host, (*leader)[0].port};
    }
    auto repl = replication::replication_state::open(config.data_dir, ro);
    if (!repl.ok()) {
        lg->error("cannot read the replication state: {}", repl.error().message());
        return 1;
    }
    util::histogram fsync_seconds;  // for /metrics; outlives the fsync pool and the logs
    // fsyncs run here, off the io threads; group commit keeps one per partition in flight.
    // defer: a log's next fsync job, queued by the pool thread that ran the
    // last one, goes behind the other logs' jobs without waking another thread.
    asio::thread_pool fsync_pool(4);
    log::log_options lo;
    lo.segment_bytes = config.segment_bytes;
    lo.run_blocking = [&fsync_pool](std::function<void()> job) { asio::defer(fsync_pool, std::move(job)); };
    lo.on_fsync = [&fsync_seconds](std::chrono::nanoseconds d) { fsync_seconds.observe(d); };
    lo.gather.fraction = config.fsync_gather;
    auto topics = topic_manager::open(config.data_dir, config.id, lo, config.flush, repl->get());
    if (!topics.ok()) {
        lg->error("cannot open data dir {}: {}", config.data_dir.string(), topics.error().message());
        return 1;
    }

    // In a cluster, committed offsets live in the replicated internal topic
    // (offsets_store.h); a lone broker keeps its own log of them.
    const bool in_cluster = !config.cluster_endpoints.empty();
    std::unique_ptr<offsets_store> offsets;
    if (in_cluster) {
        offsets = offsets_store::in_topic(**topics);
    } else if (auto opened = offsets_store::open(config.data_dir, lo); opened.ok()) {
        offsets = std::move(*opened);
    } else {
        lg->error("cannot open the group offsets log: {}", opened.error().message());
        return 1;
    }
    group_coordinator groups(
        [&](const std::string& topic) {
            auto t = (*topics)->find(topic);
            return t ? static_cast<std::int32_t>(t->partitions.size()) : 0;
        },
        [&](const std::string& group, const topic_partition& tp, log::offset_t offset) {
            auto r = offsets->append(group, tp, offset);
            return r.ok() ? status{} : r.error();
        });
    if (!in_cluster) {  // in a cluster: when this broker takes the groups over (below)
        if (auto s = offsets->replay([&](const std::string& g, const topic_partition& tp, log::offset_t o) {
                groups.restore(g, tp, o);
            });
            !s.ok()) {
            lg->error("cannot replay the group offsets log: {}", s.message());
            return 1;
        }
        if (auto s = drop_offsets_of_missing_topics(groups, **topics, *offsets); !s.ok()) {
            lg->error("cannot remove the group offsets of deleted topics: {}", s.message());
            return 1;
        }
    }
    broker::core core{**topics, groups, *offsets};
    core.repl = repl->get();
    core.auto_create_topics = config.auto_create_topics;
    core.default_partitions = config.default_partitions;
    core.long_polls.set_limit(config.max_long_polls);
    http::server_context ctx{core};
    ctx.self.id = config.id;
    ctx.self.port = config.port;
    ctx.self.host = !config.advertised_host.empty() ? config.advertised_host
                    : (config.listen == "0.0.0.0" || config.listen == "::") ? "127.0.0.1"
                                                                              : config.listen;
    ctx.fsync_seconds = &fsync_seconds;
    ctx.auth_tokens = config.auth_tokens;
    // Kafka's client-assigned groups; one group id, one protocol at a time.
    classic_groups kafka_groups([&](const std::string& g) {
        auto v = groups.describe(g);
        return v && !v->members.empty();
    });
    groups.set_in_use_elsewhere([&](const std::string& g) { return kafka_groups.has_members(g); });
    kafka::broker_context kafka_ctx{**topics, groups, *offsets};
    kafka_ctx.kafka_groups = &kafka_groups;
    ctx.kafka_groups = &kafka_groups;
    kafka_ctx.core = &core;
    kafka_ctx.node_id = config.id;
    kafka_ctx.host = ctx.self.host;
    kafka_ctx.repl = repl->get();
    kafka_ctx.auto_create_topics = config.auto_create_topics;
    kafka_ctx.default_partitions = config.default_partitions;
    kafka_ctx.auth_tokens = config.auth_tokens;
    if (config.kafka) ctx.more_metrics = [&kafka_ctx](http::metrics_text& m) { write_kafka_metrics(m, kafka_ctx); };
    raise_fd_limit(config.max_connections);
    // The replica fetcher's options, but for the leader: a follower's one
    // fetcher, or a cluster member's one per leader.
    auto fetch_options = [&config] {
        return replication::fetcher_options{{}, std::chrono::milliseconds(500), config.flush.sync_before_ack(),
                                            config.auth_tokens.empty() ? std::string() : config.auth_tokens.front(),
                                            config.tls_leader, {}};
    };
    std::unique_ptr<replication::replica_fetcher> fetcher;
    ctx.promote = [&] { return replication::promote_to_leader(**repl, **topics, fetcher.get()); };

    int status_code = 0;
    {
        // One io_context per io thread (see http/server.h); ios[0] also runs
        // the acceptor, signals and periodic work.
        std::vector<std::unique_ptr<asio::io_context>> ios;
        std::vector<asio::io_context*> io_ptrs;
        for (int i = 0; i < config.io_threads; ++i) {
            ios.push_back(std::make_unique<asio::io_context>(1));
            io_ptrs.push_back(ios.back().get());
        }
        auto& io = *ios[0];
        std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
        for (auto& x : ios) keep_running.emplace_back(x->get_executor());
        http::server_limits limits;
        limits.max_body_bytes = config.max_body_bytes;
        limits.max_header_bytes = config.max_header_bytes;
        limits.idle_timeout = config.idle_timeout;
        limits.header_timeout = config.header_timeout;
        limits.max_connections = config.max_connections;
        limits.tcp_congestion = config.tcp_congestion;
        // One --max-connections for both listeners.
        limits.connections = std::make_shared<util::connection_limit>(config.max_connections);
        http::server srv(io_ptrs, ctx, limits);
        srv.use_tls(config.tls_server);
        if (auto s = srv.listen(config.listen, config.port); !s.ok()) {
            lg->error("{}", s.message());
            return 1;
        }
        ctx.self.port = srv.port();
        std::optional<kafka::server> kafka_srv;
        if (config.kafka) {
            kafka_srv.emplace(io_ptrs, kafka_ctx,
                              kafka::server_limits{config.max_body_bytes, config.idle_timeout, config.header_timeout,
                                                   config.max_connections, limits.connections,
                                                   config.tcp_congestion});
            kafka_srv->use_tls(config.tls_server);
            if (auto s = kafka_srv->listen(config.listen, config.kafka_port); !s.ok()) {
                lg->error("{}", s.message());
                return 1;
            }
            kafka_ctx.port = kafka_srv->port();
            ctx.self.kafka_port = kafka_ctx.port;
        }
        (*repl)->set_self_address(ctx.self.host, ctx.self.port);
        std::unique_ptr<cluster::member> member;
        // The admin calls' etcd round trips (create, grow, elect, delete) run
        // here, off the io threads; after `member`, so it is joined first.
        asio::thread_pool admin_pool(2);
        auto off_io = [&admin_pool](std::function<status()> work) {
            return util::await_blocking(
                [&admin_pool](std::function<void()> job) { asio::post(admin_pool, std::move(job)); }, std::move(work));
        };
        if (!config.cluster_endpoints.empty()) {
            member = std::make_unique<cluster::member>(cluster::member_config{
                config.cluster_endpoints, config.cluster_name, config.cluster_session_timeout,
                {config.id, ctx.self.host, ctx.self.port, kafka_srv ? kafka_ctx.host : "", kafka_ctx.port, true},
                config.replication_factor, config.unclean_leader_election});
            if (auto s = member->start(); s.code() == status_code::already_exists) {
                lg->error("{}", s.message());
                return 1;
            } else if (!s.ok()) {
                lg->warn("cannot join cluster '{}' yet, serving degraded and trying again: {}", config.cluster_name,
                         s.message());
            }
            ctx.cluster = [&member] { return member->view(); };
            ctx.create_in_cluster = [&member, &off_io](const std::string& topic, const broker::topic_config& c,
                                                       std::int32_t rf) {
                return off_io(
                    [&member, topic, record = record_of(c, rf)] { return member->create_topic(topic, record); });
            };
            ctx.add_partitions_in_cluster = [&member, &off_io](const std::string& topic, std::int32_t partitions) {
                return off_io([&member, topic, partitions] { return member->add_partitions(topic, partitions); });
            };
            ctx.elect_leaders_in_cluster = [&member, &off_io](const std::string& topic,
                                                              std::vector<cluster::elected_leader>& elected) {
                return off_io([&member, topic, &elected] { return member->elect_preferred(topic, elected); });
            };
            kafka_ctx.cluster = ctx.cluster;
            core.may_acknowledge = [&member] { return member->may_acknowledge(); };
            core.roles_read = [&member] { return member->roles_read(); };
            kafka_ctx.add_partitions_in_cluster = ctx.add_partitions_in_cluster;
            ctx.delete_in_cluster = [&member, &off_io](const std::string& topic) {
                return off_io([&member, topic] { return member->delete_topic(topic); });
            };
            kafka_ctx.delete_in_cluster = ctx.delete_in_cluster;
        }
        // Partitions led and followed as etcd says (cluster_replicas.h);
        // after `member`, so it stops first.
        std::unique_ptr<replication::replica_fetchers> cluster_fetchers;
        std::unique_ptr<cluster_replicas> replicas;
        std::unique_ptr<cluster_topics> topic_creation;
        if (member) {
            cluster_fetchers = std::make_unique<replication::replica_fetchers>(**topics, **repl, fetch_options());
            replicas = std::make_unique<cluster_replicas>(config.id, **topics, *cluster_fetchers, *member);
            // The groups' coordinator is the leader of the offsets partition.
            replicas->on_role_change([&](const std::string& topic, std::int32_t partition, bool leading) {
                if (topic != rules::offsets_topic || partition != 0) return;
                kafka_groups.clear();
                if (!leading) {
                    if (offsets->state() != broker::coordinator_state::not_coordinator)
                        lg->info("no longer the group coordinator");
                    return offsets->hand_off(groups);
                }
                if (auto s = offsets->take_over(groups); !s.ok())
                    lg->error("cannot load the group offsets from {}/0: {}", topic, s.message());
                else
                    lg->info("group coordinator: committed offsets loaded from {}/0 up to offset {}", topic,
                             offsets->log_end());
            });
            // A copy deleted because etcd no longer has that life of the topic
            // takes its groups' committed offsets along, as a delete does.
            replicas->on_topic_deleted([&](const std::string& topic) {
                if (auto s = groups.remove_topic(topic, util::steady_clock_ms()); !s.ok())
                    lg->error("cannot remove the group offsets of deleted topic '{}': {}", topic, s.message());
            });
            // Each partition's role before clients are served (a restarted
            // follower must not take writes as the leader of epoch 0).
            if (member->view().registered && !replicas->wait_for_first_read(config.cluster_session_timeout))
                lg->warn("the cluster's partition keys are not read yet; partitions take their roles when they are");
            replicas->reconcile();
            // Every other topic creation goes through the controller too (cluster_topics.h).
            auto fo = fetch_options();
            topic_creation = std::make_unique<cluster_topics>(config.id, *member, *replicas, **topics,
                                                              forward_options{fo.auth_token, fo.tls,
                                                                              config.cluster_session_timeout});
            core.create_in_cluster = [&topic_creation](const std::string& name, const broker::topic_config& c,
                                                       std::int32_t rf, bool forward,
                                                       std::function<void(status)> done) {
                topic_creation->create(name, c, rf, forward, std::move(done));
            };
            core.ready_in_cluster = [&topic_creation](const std::string& name) { return topic_creation->ready(name); };
        }
        srv.start();
        if (kafka_srv) kafka_srv->start();
        if (replicas) replicas->start();
        if (config.follower) {
            auto options = fetch_options();
            options.leader = *ro.leader;
            fetcher = std::make_unique<replication::replica_fetcher>(**topics, **repl, std::move(options));
            fetcher->start();
        }
        asio::signal_set signals(io, SIGINT, SIGTERM);
        // SIGHUP too: a broker started with `&` from a terminal gets it when
        // the terminal closes, and should stop as cleanly as on SIGTERM. One
        // started under nohup (SIGHUP ignored) keeps ignoring it.
        if (struct sigaction old {}; ::sigaction(SIGHUP, nullptr, &old) == 0 && old.sa_handler != SIG_IGN)
            signals.add(SIGHUP);
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            lg->info("signal {}: shutting down", sig);
            srv.stop();
            if (kafka_srv) kafka_srv->stop();
            for (auto& x : ios) x->stop();
        });
        asio::co_spawn(io, every(config.retention_check_interval, [&] { (*topics)->apply_retention(util::wall_clock_ms()); }),
                       asio::detached);
        // Sessions run out on this clock; implicit commits reach disk on it too.
        asio::co_spawn(io, every(std::chrono::milliseconds(1000), [&] {
                           groups.expire(util::steady_clock_ms());
                           kafka_groups.expire(util::steady_clock_ms());
                           offsets->sync_async(offsets->log_end(), [](status) {});
                       }),
                       asio::detached);
        // Followers that fell behind or went silent leave the ISR on this clock.
        auto isr_check = std::clamp(config.replica_lag_max / 4, std::chrono::milliseconds(10),
                                    std::chrono::milliseconds(250));
        asio::co_spawn(io, every(isr_check, [&] {
                           auto now = util::steady_clock_ms();
                           for (const auto& t : (*topics)->list())
                               for (auto& p : t->partitions) p->expire_followers(now);
                       }),
                       asio::detached);
        if (config.flush.kind == broker::flush_policy::mode::interval)
            asio::co_spawn(io, every(config.flush.interval, [&] {
                               asio::post(fsync_pool, [&] { (*topics)->sync_all(); });
                           }),
                           asio::detached);
        // Not "serving ... on": scripts find the HTTP port by that phrase.
        if (kafka_srv)
            lg->info("broker {} Kafka listener on {}:{} ({}), advertised as {}:{}", config.id, config.listen,
                     kafka_srv->port(),
                     config.tls_server ? (config.auth_tokens.empty() ? "SSL" : "SASL_SSL")
                                       : (config.auth_tokens.empty() ? "PLAINTEXT" : "SASL_PLAINTEXT"),
                     kafka_ctx.host, kafka_ctx.port);
        lg->info("broker {} serving {} on {}:{}{} (flush={}, data dir {}, {} at epoch {})", config.id, ctx.self.host,
                 config.listen, srv.port(), config.tls_server ? " over HTTPS" : "", config.flush.to_string(),
                 config.data_dir.string(),
                 config.follower ? "follower of " + config.leader : std::string("leader"), (*repl)->epoch());
        std::vector<std::thread> threads;
        for (std::size_t i = 1; i < ios.size(); ++i) threads.emplace_back([&x = *ios[i]] { x.run(); });
        io.run();
        for (auto& t : threads) t.join();
        keep_running.clear();
        admin_pool.join();  // the admin calls in flight end (each bounded) while the member answers
        if (topic_creation) topic_creation->stop();
        if (replicas) replicas->stop();  // and its fetchers, while the member still answers view()
        if (member) member->stop();  // revokes the lease: the cluster sees this broker go at once
    }  // the io_context and its sessions are gone before the logs close
    if (fetcher) fetcher->stop();
    fsync_pool.join();
    if (auto s = offsets->close(); !s.ok()) {
        lg->error("closing the offsets log: {}", s.message());
        status_code = 1;
    }
    if (auto s = (*topics)->close(); !s.ok()) {
        lg->error("closing logs: {}", s.message());
        status_code = 1;
    }
    if (status_code == 0) lg->info("stopped cleanly");
    else lg->error("stopped, but not every log closed cleanly; the next start recovers them from disk");
    return status_code;
}

}  // namespace gafka::server
