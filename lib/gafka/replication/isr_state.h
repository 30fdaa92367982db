#pragma once
// The leader's view of one partition's replicas: where each follower is, who
// is in sync, and the high watermark. Pure rules, after Kafka's Partition
// and Replica: positions and a clock in, the in-sync set and the high
// watermark out. No I/O, no clock of its own (every call takes now_ms from
// one monotonic clock). Not thread-safe: the owning partition serializes
// every call under its lock.
//
// The rules:
//  - A follower's position is the offset it fetches from: it has everything
//    before it on disk (a follower fsyncs before it fetches again).
//  - A follower is caught up at a fetch when its position reaches the leader's
//    log end at that moment, or the end the leader had at its previous fetch
//    (so a steady stream of appends does not hide a follower that keeps up).
//  - An in-sync follower that has not been caught up for lag_max_ms, because
//    it is too far behind or silent, leaves the in-sync set.
//  - A follower outside it rejoins once its position reaches the high
//    watermark (it then holds every committed record).
//  - The high watermark is the smallest position among the leader's own log
//    end and the in-sync followers' positions. It never goes back.
//  - In a cluster the ISR recorded in etcd counts too (set_recorded): the
//    controller may make any recorded member leader, so a follower recorded
//    in sync holds back the high watermark until the record drops it, even
//    after it left the in-sync set here. The leader records its in-sync set
//    (isr()) there; until that is written, both sets hold the mark back.
//  - acks=all needs at least min_insync members (the leader counts).
// Invariant: high_watermark(leader_end) <= leader_end for the leader_end the
// caller passes (the leader's log end never moves back while it leads).
#include <cstdint>
#include <map>
#include <vector>

#include "gafka/log/record.h"

namespace gafka::replication {

using log::offset_t;
// A broker's id, as a replica of a partition.
using replica_id = std::int32_t;

struct isr_config {
    std::int64_t lag_max_ms = 10'000;
    std::int32_t min_insync = 1;
};

struct follower_state {
    replica_id id = 0;
    offset_t position = 0;
    offset_t leader_end_at_last_fetch = 0;
    std::int64_t last_fetch_ms = 0;
    std::int64_t last_caught_up_ms = 0;
    bool in_sync = false;
};

class isr_state {
public:
    isr_state(replica_id leader, isr_config config) : leader_(leader), config_(config) {}

    // Starts over as the leader with only itself in sync and the high
    // watermark at `hw` (a promotion: everything it holds is committed),
    // with no recorded ISR.
    void reset(offset_t hw);
    // The ISR recorded in etcd for this leader's epoch (the leader may be in
    // it; it is ignored). A member never seen is added, out of sync at
    // position 0, so it holds the mark back until it fetches.
    void set_recorded(const std::vector<replica_id>& isr, std::int64_t now_ms);
    // A follower known to be alive when the partition was created empty:
    // it holds all of nothing, so it starts in sync at position 0.
    void add_in_sync_follower(replica_id id, std::int64_t now_ms);
    // A follower fetched from `position` while the leader's log ended at
    // `leader_end`. Returns true when the in-sync set changed.
    bool on_fetch(replica_id id, offset_t position, offset_t leader_end, std::int64_t now_ms);
    // Drops in-sync followers not caught up for lag_max_ms. Returns true
    // when the in-sync set changed.
    bool expire(std::int64_t now_ms);

    offset_t high_watermark(offset_t leader_end);
    // The leader first, then in-sync followers by id.
    std::vector<replica_id> isr() const;
    // The leader first, then every follower ever seen, by id.
    std::vector<replica_id> replicas() const;
    std::int32_t isr_size() const;
    bool enough_insync() const { return isr_size() >= config_.min_insync; }
    const std::map<replica_id, follower_state>& followers() const { return followers_; }
    const isr_config& config() const { return config_; }
    replica_id leader() const { return leader_; }

private:
    replica_id leader_;
    isr_config config_;
    std::map<replica_id, follower_state> followers_;
    std::vector<replica_id> recorded_;
    offset_t hw_ = 0;
};

}  // namespace gafka::replication
