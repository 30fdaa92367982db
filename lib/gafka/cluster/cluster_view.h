#pragma once
// What a cluster member (member.h) knows, as the HTTP layer shows it
// (/api/v1/metadata's "cluster", /healthz, /metrics): plain data, copied
// out under the member's lock.
#include <cstdint>
#include <string>
#include <vector>

namespace gafka::cluster {

struct broker_registration {
    std::int32_t id = 0;
    std::string host;  // HTTP, advertised
    std::uint16_t port = 0;
    std::string kafka_host;  // empty: no Kafka listener
    std::uint16_t kafka_port = 0;
    bool live = true;  // registered now; false: seen registered since this broker started, gone since
};

// One partition's state as the controller recorded it in etcd (assignment.h).
struct partition_view {
    std::string topic;
    std::int32_t partition = 0;
    std::int32_t leader = -1;
    std::int32_t leader_epoch = 0;
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> isr;
};

struct cluster_view {
    std::string name;
    std::int64_t session_timeout_ms = 0;       // --cluster-session-timeout: how long a failover may take, about
    bool etcd_up = false;                      // the last lease renewal (or registration) reached etcd
    bool registered = false;                   // this broker's key is in etcd under its lease
    std::int32_t controller_id = -1;           // -1: none known
    std::int64_t controller_epoch = 0;         // the controller key's create revision; 0: none known
    bool is_controller = false;                // this broker, and its lease is surely still alive
    std::int64_t read_under_lease = 0;         // the lease this broker held when it last read the whole cluster
    std::vector<broker_registration> brokers;  // by id
    std::vector<partition_view> partitions;    // by topic, then partition
};

}  // namespace gafka::cluster
