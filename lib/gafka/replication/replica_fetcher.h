#pragma once
// A follower's copy loop (gafka-broker --role follower --leader HOST:PORT,
// or one per leader in a cluster: fetcher_options::partitions):
// mirrors the leader's topics (creating, growing and deleting them as the
// leader did), then pulls every partition with one
// long-poll replica fetch after another, appends the leader's batches at the
// leader's offsets, fsyncs them, and fetches again from the new end, which
// is how it reports its position. When the leader says a partition's log
// diverges from its own (a former leader's unacknowledged tail), it cuts the
// tail first. It never follows a leader whose epoch is older than the
// newest this broker has seen. Without a plan, each partition it copies
// takes the leader's id and epoch from the answers
// (broker::partition::follow_in_cluster), as a cluster follower's takes
// its key's.
//
// Threads: runs on its own thread with a blocking HTTP connection; start()
// and stop() from any one thread. stop() waits for the fetch in flight (at
// most the long-poll wait plus a round trip).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gafka/broker/topic_manager.h"
#include "gafka/replication/replication_state.h"
#include "gafka/tls/context.h"

namespace gafka::client {
class http_connection;
}

namespace gafka::replication {

struct fetcher_options {
    replica_address leader;
    std::chrono::milliseconds max_wait{500};  // the long poll
    bool sync_before_fetch = true;            // the follower's --flush=always
    std::string auth_token;                   // sent as a bearer token (the first of --auth-token-file)
    tls::context_ptr tls;                     // HTTPS to the leader (--tls-ca); null: plain HTTP
    // In a cluster (replica_fetchers.h): the partitions to copy from this
    // leader, asked before every fetch (from the fetcher's thread). The
    // leader's topic list is then not mirrored, and its answer's epoch is
    // not this broker's (each partition's epoch is in etcd). Unset: every
    // partition of every topic, as --role follower does.
    std::function<std::vector<std::pair<std::string, std::int32_t>>()> partitions;
};

class replica_fetcher {
public:
    replica_fetcher(broker::topic_manager& topics, replication_state& state, fetcher_options options)
        : topics_(topics), state_(state), options_(std::move(options)) {}
    ~replica_fetcher() { stop(); }
    replica_fetcher(const replica_fetcher&) = delete;
    replica_fetcher& operator=(const replica_fetcher&) = delete;

    void start();
    void stop();  // request_stop(), then waits for the thread
    // Asks the thread to end without waiting: the fetch in flight (to a
    // leader that may hang, stopped or cut off) is not applied when it
    // returns. finished() tells when the thread has ended.
    void request_stop();
    bool finished() const { return finished_; }

private:
    void run();
    status sync_topics(client::http_connection& c);
    status fetch_once(client::http_connection& c);
    void sleep_for(std::chrono::milliseconds d);

    broker::topic_manager& topics_;
    replication_state& state_;
    fetcher_options options_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
    std::mutex mu_;
    std::condition_variable wake_;
    std::string topics_version_;       // the leader's, when last mirrored
    bool topics_synced_ = false;
    std::set<std::string> seen_on_leader_;  // only these are deleted when the leader drops them
    std::set<std::string> refused_;         // "topic/partition" the leader refused, logged once
};

}  // namespace gafka::replication
