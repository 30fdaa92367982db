#pragma once
// A cluster member's followers: one replica_fetcher per leader broker,
// copying the partitions this broker follows from that leader
// (cluster/replica_roles.h follow_plan). assign() starts a fetcher for a new
// leader, moves partitions between fetchers, restarts the one whose leader's
// address changed and stops those left with nothing to copy.
//
// Threads: assign() and stop() from one thread at a time
// (server/cluster_replicas); a fetcher reads its partitions under their own
// lock before each fetch.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gafka/replication/replica_fetcher.h"

namespace gafka::replication {

struct leader_partitions {
    replica_address leader;
    std::vector<std::pair<std::string, std::int32_t>> partitions;
};

class replica_fetchers {
public:
    // `base`: the options every fetcher gets (its leader and partitions are set here).
    replica_fetchers(broker::topic_manager& topics, replication_state& state, fetcher_options base)
        : topics_(topics), state_(state), base_(std::move(base)) {}
    ~replica_fetchers() { stop(); }
    replica_fetchers(const replica_fetchers&) = delete;
    replica_fetchers& operator=(const replica_fetchers&) = delete;

    // What to copy now, by leader id. Does not wait for the fetchers it
    // stops (a fetch in flight to a hung leader may take seconds to fail):
    // they end in the background, their answers unapplied.
    void assign(const std::map<replica_id, leader_partitions>& plan);
    // Stops every fetcher and waits for them all.
    void stop();

private:
    struct shared_partitions {
        std::mutex mu;
        std::vector<std::pair<std::string, std::int32_t>> list;
    };
    struct one {
        replica_address at;
        std::shared_ptr<shared_partitions> partitions;
        std::unique_ptr<replica_fetcher> fetcher;
    };

    broker::topic_manager& topics_;
    replication_state& state_;
    fetcher_options base_;
    std::map<replica_id, one> running_;
    std::vector<std::unique_ptr<replica_fetcher>> retiring_;  // asked to stop, maybe still running
};

}  // namespace gafka::replication
