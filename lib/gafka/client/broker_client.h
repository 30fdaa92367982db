#pragma once
// What the programs use to talk to a cluster: the bootstrap list, the
// cluster-metadata cache, one keep-alive connection per broker, retries with
// backoff on transport failures, and leader routing that refreshes metadata
// and retries on a 421 "not the leader" answer or an unreachable leader.
// Not thread-safe: one owner thread.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "gafka/client/cluster_metadata.h"
#include "gafka/client/http_connection.h"

namespace gafka::client {

struct client_options {
    std::chrono::milliseconds timeout{30'000};  // per request
    int retries = 5;                            // further tries after a transport failure
    std::chrono::milliseconds backoff{100};     // first wait; doubles up to 2 s
};

// Whether a call that began `elapsed` ago may be tried again after
// `attempt` retries: while fewer than `retries`, and in a cluster also for
// as long as a failover may take (cluster_metadata::failover_window), so
// that the loss of a leader is waited out whatever --retries says.
bool may_retry(int attempt, int retries, std::chrono::milliseconds elapsed, std::chrono::milliseconds failover_window);

class broker_client {
public:
    // `brokers`: "HOST:PORT[,HOST:PORT...]".
    static result<std::unique_ptr<broker_client>> connect(std::string_view brokers, client_options options = {});

    // Any reachable broker, the known ones first, then the bootstrap list. A
    // 421 from a follower is retried once at the leader it names.
    result<http_reply> call(const std::string& method, const std::string& target, const std::string& body = {},
                            const std::string& content_type = {});
    // The leader of topic/partition per metadata (refreshed when unknown,
    // stale, unreachable or answered with 421; up to `retries` more tries).
    result<http_reply> call_leader(const std::string& topic, std::int32_t partition, const std::string& method,
                                   const std::string& target, const std::string& body = {},
                                   const std::string& content_type = {});
    // A group call: to the groups' coordinator, the leader of the offsets
    // topic's partition 0 in a cluster (a 421 not_coordinator refreshes and
    // retries as call_leader does); a lone broker, whose metadata has no
    // such topic, is called as call() does.
    result<http_reply> call_coordinator(const std::string& method, const std::string& target,
                                        const std::string& body = {}, const std::string& content_type = {});
    // The connection to the leader of topic/partition per the cached
    // metadata, for pipelined requests (http_connection::send/receive); an
    // error when no leader is known. No refresh (another connection may have
    // answers due) and no retry: call_leader() does both.
    result<http_connection*> leader_connection(const std::string& topic, std::int32_t partition);
    // Fetches /api/v1/metadata now (subject to the cache's backoff).
    status refresh_metadata();
    cluster_metadata& metadata() { return metadata_; }
    // may_retry() with this client's --retries and its cluster's failover window.
    bool may_retry(int attempt, std::int64_t started_ms) const;
    // Partition count of a topic, refreshing metadata once if it is unknown.
    std::optional<std::int32_t> partition_count(const std::string& topic);

private:
    broker_client(std::vector<broker_address> bootstrap, client_options options)
        : options_(options), metadata_(std::move(bootstrap)) {}
    http_connection& connection(const broker_address& b);
    result<http_reply> follow_leader(const http_reply& refused, const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& content_type);

    client_options options_;
    cluster_metadata metadata_;
    std::map<std::pair<std::string, std::uint16_t>, std::unique_ptr<http_connection>> connections_;
};

// "code: message" from a broker's JSON error body, or the raw body.
std::string describe_error(const http_reply& reply);
// The "code" of a broker's JSON error body ("" when there is none).
std::string error_code(const http_reply& reply);
// A 503 refusal that may pass (storage_error, not_enough_replicas,
// replication_timeout): worth asking again.
bool transient_refusal(const http_reply& reply);

}  // namespace gafka::client
