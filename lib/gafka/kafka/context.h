#pragma once
// What Kafka request handlers share: the broker (its topics, groups and
// identity as this listener advertises it) and the connection a request
// came on (its peer and SASL state). Handlers run as coroutines on their
// connection's one thread (server.h), so the connection context needs no
// lock; the broker context is set before the listener starts and then only
// its atomics change.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gafka/broker/classic_groups.h"
#include "gafka/broker/core.h"
#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_admin.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/cluster/cluster_view.h"
#include "gafka/kafka/counters.h"

namespace gafka::replication {
class replication_state;
}

namespace gafka::kafka {

using node_id_t = std::int32_t;

struct broker_context {
    broker_context(broker::topic_manager& t, broker::group_coordinator& g, broker::offsets_store& o)
        : topics(t), groups(g), offsets(o) {}
    broker::topic_manager& topics;
    broker::group_coordinator& groups;
    broker::offsets_store& offsets;
    // Kafka consumer groups (membership; their offsets are in `groups`).
    // Set before the listener starts.
    broker::classic_groups* kafka_groups = nullptr;
    // The produce and fetch paths (broker/core.h). Set before the listener starts.
    broker::core* core = nullptr;
    // This broker as Kafka clients reach it: the node id, the advertised
    // host and the Kafka port (set once the listener is bound).
    node_id_t node_id = 1;
    std::string host = "127.0.0.1";
    std::uint16_t port = 9092;
    // Leader or follower (null: a lone leader). A follower refuses topic admin.
    const replication::replication_state* repl = nullptr;
    // What this broker knows of its cluster (cluster/member.h; thread-safe);
    // empty without --cluster. Set before the listener starts.
    std::function<cluster::cluster_view()> cluster;
    // Records partitions added by CreatePartitions in the cluster (the
    // controller; broker/topic_admin.h); empty without --cluster.
    broker::add_partitions_in_cluster_fn add_partitions_in_cluster;
    // Deletes topics in the cluster (the controller; broker/topic_admin.h);
    // empty without --cluster.
    broker::delete_topic_in_cluster_fn delete_in_cluster;
    bool auto_create_topics = true;
    std::int32_t default_partitions = 1;
    // The passwords SASL/PLAIN accepts (--auth-token-file); empty: no SASL,
    // every client is let in as it connects.
    std::vector<std::string> auth_tokens;
    std::atomic<std::int64_t> open_connections{0};
    std::atomic<std::int64_t> refused_connections{0};  // over --max-connections
    std::atomic<std::int64_t> requests{0};
    kafka::counters counters;  // by API key and error code, for /metrics
};

struct connection_context {
    broker_context& broker;
    std::string peer;  // "host:port", for log lines
    // SASL: a SaslHandshake chose PLAIN, then a SaslAuthenticate carried
    // one of the tokens. Without tokens configured a connection starts
    // authenticated.
    bool mechanism_chosen = false;
    bool authenticated = false;
    // After a SaslHandshake v0 the client's next frame is a bare SASL/PLAIN
    // message (no request header), answered by an empty frame.
    bool raw_sasl_next = false;
    // Set by a handler whose answer must be the connection's last (a failed
    // authentication): the server writes that answer, then closes.
    bool close_after_answer = false;
};

}  // namespace gafka::kafka
