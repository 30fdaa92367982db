#pragma once
// The broker core: what every protocol layer (lib/gafka/http,
// lib/gafka/kafka) serves requests from. One per broker process, built by
// the process assembly (server/broker.cpp) before any listener starts and
// outliving them all; the listeners' contexts refer to it. Its parts are
// thread-safe; the settings are set before the listeners start, then read.
// The paths requests take through it: produce_path.h, fetch_path.h.
#include <atomic>
#include <cstdint>
#include <functional>

#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/long_poll.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/replication/replication_state.h"

namespace gafka::broker {

struct core {
    core(topic_manager& t, group_coordinator& g, offsets_store& o) : topics(t), groups(g), offsets(o) {}
    core(const core&) = delete;
    core& operator=(const core&) = delete;

    topic_manager& topics;
    group_coordinator& groups;
    offsets_store& offsets;
    // Leader or follower, epoch, followers (null: a lone leader at epoch 0).
    replication::replication_state* repl = nullptr;
    // Topics are created on their first produce (--no-auto-create-topics:
    // not), with this many partitions (--default-partitions).
    bool auto_create_topics = true;
    std::int32_t default_partitions = 1;
    // Unkeyed records go to the next partition, batch by batch.
    std::atomic<std::uint64_t> round_robin{0};
    // Consumer long polls waiting, whichever protocol (--max-long-polls).
    long_poll_slots long_polls;
    // In a cluster, the fence on acknowledgements (cluster::member::
    // may_acknowledge): no acks=1 write is taken or acknowledged while it
    // says no (produce_path.cpp). Empty: standalone, always yes.
    std::function<bool()> may_acknowledge;
    // In a cluster: whether the partitions have taken their roles from etcd
    // at least once. Until then (etcd was down when the broker started) no
    // write is taken: any partition may be led elsewhere. Empty: standalone.
    std::function<bool()> roles_read;
    // In a cluster (server/cluster_topics.h) a topic is recorded in etcd by
    // the controller before any broker holds it. Records `name` with its
    // config at a replication factor (0: the default); `forward`: when this
    // broker is not the controller, it asks the controller (auto-creation),
    // else refuses (not_leader). Calls `done` once, on any thread
    // (already_exists: etcd has it). Empty: standalone.
    std::function<void(const std::string& name, const topic_config& config, std::int32_t replication_factor,
                       bool forward, std::function<void(status)> done)>
        create_in_cluster;
    // In a cluster: the topic as served here once etcd records it and every
    // partition of it has taken its role here; null until then; not_leader
    // when this broker holds no replica of it. Thread-safe. Empty: standalone.
    std::function<result<std::shared_ptr<topic>>(const std::string& name)> ready_in_cluster;

    // The groups' coordinator state as group calls see it: the offsets
    // store's, except that in a cluster a coordinator that cannot be sure it
    // still leads the offsets partition (may_acknowledge: its session not
    // renewed in time, or its roles not read again since it renewed it)
    // serves no group call: a zombie would answer from offsets the new
    // coordinator may not have.
    coordinator_state group_coordinator_state() const {
        auto s = offsets.state();
        if (s == coordinator_state::serving && may_acknowledge && !may_acknowledge())
            return coordinator_state::not_coordinator;
        return s;
    }

    // acks=all needs this many in-sync replicas (--min-insync).
    std::int32_t min_insync() const { return repl ? repl->isr().min_insync : 1; }
};

}  // namespace gafka::broker
