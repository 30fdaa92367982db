#pragma once
// How a cluster member creates topics (docs/cluster.md, "Creating a topic
// in a cluster"): the controller records a topic in etcd before any broker
// holds it, and each replica creates its copy from the keys
// (cluster_replicas.h). This is what the broker core's create_in_cluster
// and ready_in_cluster hooks (broker/core.h) call:
//   create  on the controller, cluster::member::create_topic; elsewhere,
//           for an auto-creation, the creation forwarded to the controller
//           over HTTP (controller_forward.h), else not_leader. The blocking
//           work runs on two threads of its own, never on an io thread;
//           concurrent auto-creations of one topic share one forward.
//   ready   the topic as served here once etcd records it and each of its
//           partitions has taken its role here.
// Thread-safe. stop() before the member and the replicas stop.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "gafka/broker/topic_manager.h"
#include "gafka/cluster/cluster_view.h"
#include "gafka/cluster/member.h"
#include "gafka/server/cluster_replicas.h"
#include "gafka/server/controller_forward.h"

namespace gafka::server {

// Where topic `name` stands in `view` for broker `self`: recorded (etcd has
// partition keys of it), how many partitions, and whether `self` holds a
// replica of any of them.
struct topic_standing {
    bool recorded = false;
    bool replica = false;
    std::int32_t partitions = 0;
};
topic_standing standing_of(const cluster::cluster_view& view, std::int32_t self, const std::string& name);

// A topic's config as etcd records it, at replication factor `rf` (0: the default).
cluster::topic_record record_of(const broker::topic_config& config, std::int32_t rf);
// And back: a replica's copy of a recorded topic, with `partitions`.
broker::topic_config config_of(const cluster::topic_record& record, std::int32_t partitions);

class cluster_topics {
public:
    cluster_topics(std::int32_t self, cluster::member& member, cluster_replicas& replicas,
                   broker::topic_manager& topics, forward_options forward)
        : self_(self), member_(member), replicas_(replicas), topics_(topics), forward_(std::move(forward)) {}
    ~cluster_topics() { stop(); }
    cluster_topics(const cluster_topics&) = delete;
    cluster_topics& operator=(const cluster_topics&) = delete;

    // broker::core::create_in_cluster.
    void create(const std::string& name, const broker::topic_config& config, std::int32_t replication_factor,
                bool forward, std::function<void(status)> done);
    // broker::core::ready_in_cluster.
    result<std::shared_ptr<broker::topic>> ready(const std::string& name) const;
    // Waits for the creations in flight (each bounded); later ones are unavailable.
    void stop();

private:
    status create_now(const std::string& name, const broker::topic_config& config, std::int32_t replication_factor,
                      bool forward);

    std::int32_t self_;
    cluster::member& member_;
    cluster_replicas& replicas_;
    broker::topic_manager& topics_;
    const forward_options forward_;
    std::mutex mu_;
    bool stopped_ = false;                                                          // guarded by mu_
    std::map<std::string, std::vector<std::function<void(status)>>> forwarding_;  // guarded by mu_
    boost::asio::thread_pool pool_{2};
};

}  // namespace gafka::server
