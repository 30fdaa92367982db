#pragma once
// gafka-admin promote: a follower becomes the leader. It stops copying,
// takes an epoch past every epoch it has seen (persisted before anything
// else changes), and every partition then leads from its own log end with
// itself alone in sync: all it holds counts as committed, as after a clean
// Kafka leader election. Blocks while the fetch in flight finishes: call it
// off the io threads.
#include "gafka/broker/topic_manager.h"
#include "gafka/replication/replica_fetcher.h"
#include "gafka/replication/replication_state.h"

namespace gafka::replication {

struct promotion {
    epoch_t leader_epoch = 0;
    bool changed = false;  // false: it already led
};

result<promotion> promote_to_leader(replication_state& state, broker::topic_manager& topics,
                                    replica_fetcher* fetcher);

}  // namespace gafka::replication
