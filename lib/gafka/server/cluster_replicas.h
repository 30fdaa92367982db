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
// Before all that, it settles each local topic with etcd (docs/cluster.md,
// "Deleting a topic in a cluster"): from a view that mirrors a complete read
// under the current lease only, it records etcd's incarnation in a new
// copy, deletes a copy of a topic etcd no longer has, and replaces a copy of
// an earlier life of the topic (its incarnation differs from etcd's) by a
// new, empty one before the partition takes any role.
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
        : self_(self), topics_(topics), fetchers_(fetchers), member_(member) {
        // Topics made from here on (by etcd's keys, or the controller's
        // create) are matched with etcd's incarnation on the next pass.
        topics_.set_new_topic_incarnation(cluster::unsettled_incarnation);
    }
    ~cluster_replicas() { stop(); }
    cluster_replicas(const cluster_replicas&) = delete;
    cluster_replicas& operator=(const cluster_replicas&) = delete;

    // Called on the replicas' thread each time a partition takes a new role
    // here: leading at a new leader epoch (true), or not leading (false).
    // Set before start().
    using role_hook = std::function<void(const std::string& topic, std::int32_t partition, bool leading)>;
    void on_role_change(role_hook hook) { on_role_change_ = std::move(hook); }
    // Called on the replicas' thread after it deleted its copy of a topic
    // (etcd no longer has that life of it): the broker drops the groups'
    // committed offsets of it, as a delete does. Set before start().
    using topic_hook = std::function<void(const std::string& topic)>;
    void on_topic_deleted(topic_hook hook) { on_topic_deleted_ = std::move(hook); }

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
    // The local topics against etcd's (cluster::local_topic_fates): stamps,
    // drops and replaces only when `view` is current.
    // Returns the topics whose partitions must take no role this pass (a
    // copy of another life of the topic, not replaced yet).
    std::set<std::string> settle_local_topics(const cluster::cluster_view& view);
    bool drop_local_topic(const std::string& topic, const char* why);
    void publish_roles();  // applied_'s partitions into with_role_

    std::int32_t self_;
    broker::topic_manager& topics_;
    replication::replica_fetchers& fetchers_;
    cluster::member& member_;
    std::map<cluster::topic_partition_ref, applied> applied_;
    role_hook on_role_change_;
    topic_hook on_topic_deleted_;
    std::set<std::string> warned_unrecorded_;  // topics made outside a cluster, warned about once
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;
    mutable std::mutex roles_mu_;
    std::set<cluster::topic_partition_ref> with_role_;  // guarded by roles_mu_
};

}  // namespace gafka::server
