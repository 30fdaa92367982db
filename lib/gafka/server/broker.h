#pragma once
// gafka-broker's whole life, the process assembly above the protocol layers:
// open the data dir into the broker core (broker/core.h), start each
// listener on it (HTTP, and the Kafka protocol on a second port unless
// turned off), serve until SIGTERM,
// SIGINT or SIGHUP (unless SIGHUP was ignored at start, as under nohup),
// then shut down cleanly (stop accepting, finish, close every log with a
// recovery point so the next start scans nothing).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gafka/broker/flush_policy.h"
#include "gafka/log/format.h"
#include "gafka/log/sync_gather.h"
#include "gafka/tls/context.h"
#include "gafka/util/host_port.h"
#include "gafka/util/status.h"

namespace gafka::server {

struct broker_config {
    std::int32_t id = 1;
    std::string listen = "127.0.0.1";
    std::uint16_t port = 9001;
    std::string advertised_host;  // empty: the listen address (or 127.0.0.1 for 0.0.0.0)
    // The Kafka protocol's listener (kafka/server.h), on the same address.
    bool kafka = true;
    std::uint16_t kafka_port = 9092;  // 0: any free port
    std::filesystem::path data_dir;
    broker::flush_policy flush;
    // After an fsync, how long the group commit waits for the writers it
    // answered, as a multiple of that fsync's duration (log/sync_gather.h;
    // --fsync-gather; 0: never waits).
    double fsync_gather = log::sync_gather::options{}.fraction;
    std::int32_t default_partitions = 1;
    bool auto_create_topics = true;
    std::uint64_t segment_bytes = log::default_segment_bytes;
    int io_threads = 2;
    std::chrono::milliseconds retention_check_interval{60'000};
    // Replication (DESIGN.md section 7): a follower copies every partition
    // of the leader at `leader` ("HOST:PORT").
    bool follower = false;
    std::string leader;
    std::int32_t min_insync = 1;                         // acks=all needs this many in-sync replicas
    std::chrono::milliseconds replica_lag_max{10'000};  // behind or silent this long: out of the ISR
    // TLS (apply_tls_flags): with `tls_server` the broker serves HTTPS only
    // (and Kafka over TLS only);
    // a follower with `tls_leader` reaches its leader over HTTPS, trusting
    // only that CA. Null: plain HTTP.
    tls::context_ptr tls_server;
    tls::context_ptr tls_leader;
    // Limits on clients (http/server.h server_limits, broker/long_poll.h;
    // the Kafka listener takes the same, kafka/server.h).
    std::int64_t max_connections = 4096;
    std::int64_t max_long_polls = 2048;
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds header_timeout{30'000};
    std::size_t max_body_bytes = 64u << 20;
    std::size_t max_header_bytes = 16u << 10;
    // The TCP congestion control of the connections both listeners accept
    // (--tcp-congestion, util/tcp_listener.h); empty: the system's.
    std::string tcp_congestion;
    // Bearer tokens (--auth-token-file); empty: no authentication. A
    // follower sends the first to its leader. The Kafka listener takes them
    // as SASL/PLAIN passwords.
    std::vector<std::string> auth_tokens;
    // Cluster membership through etcd (cluster/member.h, DESIGN.md section
    // 10); no endpoints: standalone, etcd untouched.
    std::vector<util::host_port> cluster_endpoints;
    std::string cluster_name = "gafka";
    std::chrono::milliseconds cluster_session_timeout{6000};
    std::int32_t replication_factor = 0;  // of topics created without one (--replication-factor); 0: min(3, brokers)
    bool unclean_leader_election = false;  // --unclean-leader-election (cluster/election.h)
};

// Reads the limit and security flags given as text into `config`: the
// --idle-timeout and --header-timeout durations (each more than 0) and the
// tokens of --auth-token-file (when not empty); and checks that this
// process may use config.tcp_congestion (when not empty). invalid_argument
// names the flag: a usage error.
status apply_limit_flags(broker_config& config, const std::string& idle_timeout, const std::string& header_timeout,
                         const std::string& token_file);

// Runs until a signal; returns the process exit code: 0 after a clean stop,
// 1 when a log could not be closed cleanly (it failed earlier, or failed to
// close) or another live broker of the cluster has this id.
int run_broker(const broker_config& config);

// Reads the TLS flags into `config`: --tls-cert and --tls-key (both or
// neither) and a follower's --tls-ca, loading and checking each file. Any
// problem is invalid_argument naming the flag or the file: a usage error.
// Reads --cluster, --cluster-name and --cluster-session-timeout (at least
// 1s) into `config`; an empty url leaves the broker standalone.
// invalid_argument names the flag: a usage error.
status apply_cluster_flags(broker_config& config, const std::string& url, const std::string& name,
                           const std::string& session_timeout);

status apply_tls_flags(broker_config& config, const std::string& cert_file, const std::string& key_file,
                       const std::string& ca_file);

}  // namespace gafka::server
