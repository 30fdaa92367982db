#pragma once
// gafka-broker's whole life: open the data dir, serve HTTP until SIGTERM or
// SIGINT, then shut down cleanly (stop accepting, finish, close every log
// with a recovery point so the next start scans nothing).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "gafka/broker/flush_policy.h"
#include "gafka/log/format.h"

namespace gafka::broker {

struct broker_config {
    std::int32_t id = 1;
    std::string listen = "127.0.0.1";
    std::uint16_t port = 9001;
    std::string advertised_host;  // empty: the listen address (or 127.0.0.1 for 0.0.0.0)
    std::filesystem::path data_dir;
    flush_policy flush;
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
};

// Runs until a signal; returns the process exit code (0 after a clean stop).
int run_broker(const broker_config& config);

}  // namespace gafka::broker
