#pragma once
// The replica fetch, POST /api/v1/replica/fetch, as bytes: what a follower
// asks and what the leader answers. One request covers every partition the
// follower holds; its offsets are the follower's position report.
//
// Request (JSON):
//   {"replica_id":2,"host":"127.0.0.1","port":9002,"leader_epoch":1,"max_wait_ms":500,
//    "partitions":[{"topic":"t","partition":0,"offset":120,"last_epoch":1,"incarnation":42}]}
// last_epoch is the epoch of the follower's newest batch (-1: none);
// incarnation, in a cluster, the life of the topic the follower's copy was
// made for (cluster/replica_roles.h; absent: not known): a leader whose
// copy is of another life refuses the partition ("other_incarnation").
//
// Response (application/octet-stream): a JSON header line, then per
// partition a JSON line followed by exactly "bytes" raw bytes of whole record
// batches, copied from the leader's log as stored:
//   {"leader_id":1,"leader_epoch":1,"topics_version":"9f3a...","kafka_host":"127.0.0.1",
//    "kafka_port":9092,"partitions":1}\n
// kafka_host/kafka_port: the leader's Kafka listener as it advertises it
// (absent: it has none), for a follower's Kafka Metadata answer.
//   {"topic":"t","partition":0,"high_watermark":120,"log_start_offset":0,
//    "log_end_offset":130,"isr":[1,2],"bytes":936}\n<936 bytes>
// A partition line may instead carry "error" and "message" (unknown topic,
// offset out of range), or "diverging":{"epoch":E,"end_offset":O}: the
// follower's log is not a prefix of the leader's past O and must be cut.
// Pure encoding and decoding; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/replication/isr_state.h"
#include "gafka/replication/leader_epoch_cache.h"
#include "gafka/util/status.h"

namespace gafka::replication {

inline constexpr std::int64_t max_replica_wait_ms = 30'000;

struct fetch_partition_request {
    std::string topic;
    std::int32_t partition = 0;
    offset_t offset = 0;
    epoch_t last_epoch = no_epoch;
    std::int64_t incarnation = 0;  // 0: not known (standalone, or not yet matched with etcd)
};

struct fetch_request {
    replica_id replica = -1;
    std::string host;
    std::uint16_t port = 0;
    epoch_t leader_epoch = 0;  // the newest epoch the follower has seen
    std::int64_t max_wait_ms = 0;
    std::vector<fetch_partition_request> partitions;
};

std::string encode_fetch_request(const fetch_request& r);
result<fetch_request> parse_fetch_request(std::string_view body);

struct fetch_response_header {
    replica_id leader_id = -1;
    epoch_t leader_epoch = 0;
    std::string topics_version;
    std::string kafka_host;       // the leader's advertised Kafka listener;
    std::uint16_t kafka_port = 0;  // 0: it has none
};

struct fetch_partition_response {
    std::string topic;
    std::int32_t partition = 0;
    offset_t high_watermark = 0;
    offset_t log_start_offset = 0;
    offset_t log_end_offset = 0;
    std::vector<replica_id> isr;
    std::string error;  // "" when fine
    std::string message;
    std::optional<epoch_end> diverging;
    std::string_view records;  // whole batches; points into the response body
};

struct fetch_response {
    fetch_response_header header;
    std::vector<fetch_partition_response> partitions;
};

void append_response_header(std::string& out, const fetch_response_header& h, std::size_t partitions);
// Appends p's line and `records` (p.records is ignored).
void append_partition_response(std::string& out, const fetch_partition_response& p, std::string_view records);
// The records of each partition point into `body`, which must outlive it.
result<fetch_response> parse_fetch_response(std::string_view body);

}  // namespace gafka::replication
