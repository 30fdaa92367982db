#pragma once
// Puts a cluster member's replicas where etcd says (docs/cluster.md,
// "Replicas"): every few hundred milliseconds it reads the member's view,
// creates the topics this broker holds a replica of (and grows them when
// etcd has partitions added), gives each partition
// its role (cluster/replica_roles.h: lead at the key's leader epoch with the
// key's ISR, or follow broker L and refuse writes) when the key changes,
// and points one replica fetcher per leader at the partitions it follows.
// Where it leads, it hands a recorded ISR change at the same epoch to the
// partition (the high watermark counts recorded members), and proposes its
// own in-sync set for the key when the two differ (cluster/member.h). Each
// pass tells the member which read of the cluster the roles came from: its
// fence on acknowledgements opens only for roles read under its current lease.
//
// Threads: its own; start() and stop() from the broker's main thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "gafka/broker/topic_manager.h"
#include "gafka/cluster/member.h"
#include "gafka/cluster/replica_roles.h"
#include "gafka/replication/replica_fetchers.h"

namespace gafka::server {

class cluster_replicas {
public:
    cluster_replicas(std::int32_t self, broker::topic_manager& topics, replication::replica_fetchers& fetchers,
                     cluster::member& member)
        : self_(self), topics_(topics), fetchers_(fetchers), member_(member) {}
    ~cluster_replicas() { stop(); }
    cluster_replicas(const cluster_replicas&) = delete;
    cluster_replicas& operator=(const cluster_replicas&) = delete;

    // Called on the replicas' thread each time a partition takes a new role
    // here: leading at a new leader epoch (true), or not leading (false).
    // Set before start().
    using role_hook = std::function<void(const std::string& topic, std::int32_t partition, bool leading)>;
    void on_role_change(role_hook hook) { on_role_change_ = std::move(hook); }

    void start();
    // Stops the loop and every fetcher.
    void stop();
    // One pass (the loop's body).
    void reconcile();
    // Waits (at most `max`) until the member has read the cluster from etcd
    // (its view lists this broker), so a first reconcile() before serving
    // gives every partition its role. False when it has not.
    bool wait_for_first_read(std::chrono::milliseconds max);
    // Whether partitions 0..partitions-1 of `topic` have all taken their
    // roles here (as of the last pass). Thread-safe.
    bool has_roles(const std::string& topic, std::int32_t partitions) const;

private:
    struct applied {
        cluster::partition_role role;
        std::string leader_at;
        bool operator==(const applied&) const = default;
    };

    // Where this broker leads at `r`'s epoch: its in-sync set proposed for
    // the key when the key records another.
    void propose_if_changed(broker::partition& p, const cluster::partition_role& r);
    void publish_roles();  // applied_'s partitions into with_role_

    std::int32_t self_;
    broker::topic_manager& topics_;
    replication::replica_fetchers& fetchers_;
    cluster::member& member_;
    std::map<cluster::topic_partition_ref, applied> applied_;
    role_hook on_role_change_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;
    mutable std::mutex roles_mu_;
    std::set<cluster::topic_partition_ref> with_role_;  // guarded by roles_mu_
};

}  // namespace gafka::server
