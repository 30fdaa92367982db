// gafka-broker: serves topics over HTTP/JSON and the Kafka protocol until SIGTERM, SIGINT or SIGHUP.
#include "gafka/cli/program.h"
#include "gafka/server/broker.h"
#include "gafka/util/duration.h"

int main(int argc, char** argv) {
    CLI::App app{"Serve gafka topics over HTTP/JSON and the Kafka protocol until SIGTERM, SIGINT or SIGHUP.", "gafka-broker"};
    gafka::cli::configure_app(app);
    gafka::server::broker_config c;
    std::string flush = "always", role = "leader", lag_max = "10s", idle = "60s", header = "30s", token_file;
    app.set_config("--config", "", "Read settings from a TOML/INI file; flags given on the command line win");
    app.allow_config_extras(CLI::config_extras_mode::error);  // a typo in the file is an error, not ignored
    app.add_option("--id", c.id, "Broker id")->check(gafka::cli::in_range(0, INT32_MAX));
    app.add_option("--port", c.port, "TCP port to listen on (0: any free port)")->check(gafka::cli::in_range(0, 65535));
    app.add_option("--listen", c.listen, "Address to listen on");
    app.add_option("--advertised-host", c.advertised_host, "Host name given to clients in metadata");
    app.add_option("--kafka-port", c.kafka_port, "TCP port of the Kafka protocol, on --listen (0: any free port)")
        ->check(gafka::cli::in_range(0, 65535));
    app.add_flag("--kafka,!--no-kafka", c.kafka, "Serve the Kafka protocol on --kafka-port");
    app.add_option("--data-dir", c.data_dir, "Directory holding the logs")->required();
    app.add_option("--flush", flush, "When to fsync: always, interval:MS or never");
    app.add_option("--fsync-gather", c.fsync_gather,
                   "After an fsync, wait up to this many times its duration (2 ms at most) for the writers it answered, so they share the next one (0: never wait)")
        ->check(gafka::cli::number_in_range(0, 10));
    app.add_option("--default-partitions", c.default_partitions, "Partitions of auto-created topics")
        ->check(gafka::cli::in_range(1, 100));
    app.add_flag("--auto-create-topics,!--no-auto-create-topics", c.auto_create_topics,
                 "Create a topic on its first produce");
    app.add_option("--segment-bytes", c.segment_bytes, "Segment size at which a partition log rolls")
        ->check(gafka::cli::in_range(gafka::log::min_segment_bytes, gafka::log::max_segment_bytes));
    app.add_option("--io-threads", c.io_threads, "Threads serving connections")->check(gafka::cli::in_range(1, 64));
    app.add_option("--role", role, "leader, or follower (copies every partition of --leader)")
        ->check(CLI::IsMember({"leader", "follower"}));
    app.add_option("--leader", c.leader, "HOST:PORT of the leader a follower copies");
    app.add_option("--min-insync", c.min_insync, "In-sync replicas (leader included) acks=all needs")
        ->check(gafka::cli::in_range(1, 16));
    app.add_option("--replica-lag-max", lag_max, "A follower behind or silent this long leaves the ISR (e.g. 10s)");
    app.add_option("--max-connections", c.max_connections, "Open connections at most, HTTP and Kafka together; more are refused")
        ->check(gafka::cli::in_range(1, 1'000'000));
    app.add_option("--tcp-congestion", c.tcp_congestion,
                   "TCP congestion control of the connections both ports accept, e.g. cubic (default: the system's)")
        ->type_name("NAME");
    app.add_option("--idle-timeout", idle, "Close a kept-alive connection idle this long (e.g. 60s)");
    app.add_option("--header-timeout", header, "A request must fully arrive this long after its first byte (e.g. 30s)");
    app.add_option("--max-body-bytes", c.max_body_bytes, "Largest request body; larger ones are answered 413")
        ->check(gafka::cli::in_range(1 << 10, 1 << 30));
    app.add_option("--max-header-bytes", c.max_header_bytes, "Largest request headers; larger ones are answered 431")
        ->check(gafka::cli::in_range(1 << 10, 1 << 20));
    app.add_option("--max-long-polls", c.max_long_polls,
                   "Consumes waiting for records at most; more are answered at once (0: no long polls)")
        ->check(gafka::cli::in_range(0, 1'000'000));
    app.add_option("--auth-token-file", token_file,
                   "Require a bearer token from FILE (one per line) on every endpoint but /healthz, and as the SASL/PLAIN password on the Kafka port")
        ->type_name("FILE");
    std::string tls_cert, tls_key, tls_ca;
    app.add_option("--tls-cert", tls_cert, "Serve HTTPS (and Kafka over TLS) only, with this certificate chain (PEM); needs --tls-key")
        ->type_name("FILE");
    app.add_option("--tls-key", tls_key, "Private key (PEM) of --tls-cert")->type_name("FILE");
    app.add_option("--tls-ca", tls_ca, "A follower reaches its leader over HTTPS, trusting this CA (PEM)")
        ->type_name("FILE");
    std::string cluster_url, cluster_name = "gafka", session_timeout = "6s";
    app.add_option("--cluster", cluster_url, "Join the cluster coordinated by these etcd members")
        ->type_name("etcd://HOST:PORT[,HOST:PORT...]");
    app.add_option("--cluster-name", cluster_name, "The cluster's name: its key prefix in etcd (default gafka)");
    app.add_option("--cluster-session-timeout", session_timeout,
                   "The broker's etcd lease: it counts as gone this long after its last renewal (default 6s)");
    app.add_option("--replication-factor", c.replication_factor,
                   "With --cluster: replicas of a topic created without one (default min(3, live brokers))")
        ->check(gafka::cli::in_range(1, 100));
    app.add_flag("--unclean-leader-election", c.unclean_leader_election,
                 "With --cluster: when no in-sync replica is left, let another replica lead (acknowledged records may be lost)");
    return gafka::cli::run(app, argc, argv, [&] {
        auto policy = gafka::broker::parse_flush_policy(flush);
        if (!policy.ok()) {
            gafka::cli::print_error("gafka-broker", policy.error().message());
            return gafka::cli::exit_usage;
        }
        c.flush = *policy;
        c.follower = role == "follower";
        auto lag = gafka::util::parse_duration(lag_max);
        std::string usage = !lag.ok()                       ? lag.error().message()
                            : lag->count() <= 0             ? "--replica-lag-max must be more than 0"
                            : c.follower && c.leader.empty() ? "--role follower needs --leader HOST:PORT"
                            : !c.follower && !c.leader.empty() ? "--leader is only for --role follower"
                                                               : "";
        if (!usage.empty()) {
            gafka::cli::print_error("gafka-broker", usage);
            return gafka::cli::exit_usage;
        }
        c.replica_lag_max = *lag;
        if (auto u = gafka::server::apply_limit_flags(c, idle, header, token_file); !u.ok()) {
            gafka::cli::print_error("gafka-broker", u.message());
            return gafka::cli::exit_usage;
        }
        if (auto u = gafka::server::apply_tls_flags(c, tls_cert, tls_key, tls_ca); !u.ok()) {
            gafka::cli::print_error("gafka-broker", u.message());
            return gafka::cli::exit_usage;
        }
        if (auto u = gafka::server::apply_cluster_flags(c, cluster_url, cluster_name, session_timeout); !u.ok()) {
            gafka::cli::print_error("gafka-broker", u.message());
            return gafka::cli::exit_usage;
        }
        return gafka::server::run_broker(c);
    });
}
