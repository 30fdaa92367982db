#pragma once
// The produce path of the broker core, whichever protocol a produce came
// in by: the topic it goes to (created on first produce when the broker
// does that), each record's partition, and the writing of finished batches
// with the acknowledgement the producer asked for (acks 0, 1 or all: the
// durability of the flush policy, then every in-sync replica).
//
// A protocol layer parses its request, builds or checks one batch per
// partition (log/batch.h), calls write_batches, and translates the
// outcome. Idempotent producers need nothing more here: a batch carrying a
// producer id is checked by the partition log (log/producer_state.h), so a
// retry comes back with its first offsets (duplicate) and a gap in sequence
// as status_code::conflict.
//
// The coroutines run on the caller's (connection's) executor.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/core.h"

namespace gafka::broker {

// acks=0: answered without waiting (the sync still starts); acks=1: once
// durable as the flush policy promises; acks=all: and once every in-sync
// replica has it (the high watermark passed it), with --min-insync of them.
enum class acks_mode { none, leader, all };

// The longest an acks=all produce waits for the in-sync replicas; a follower
// that stops fetching leaves the ISR after --replica-lag-max, well before.
inline constexpr std::chrono::seconds max_replication_wait{30};

// The topic a produce writes to: the one served under that name, or, when
// there is none and the broker creates topics on first produce, one still
// to create (create_produce_topic) with `partitions`.
struct produce_topic {
    std::shared_ptr<topic> found;  // null: still to create
    std::int32_t partitions = 0;
};

// not_found when the topic is not served and will not be created: unknown
// with auto-create off, or damaged (topic_manager::damaged says why).
result<produce_topic> find_produce_topic(core& c, const std::string& name);
// Creates the topic find_produce_topic left to create, once the request
// passed its checks (a refused request creates nothing), and sets `found`.
// Another produce may have created it meanwhile: that one is used, unless it
// has fewer partitions than the records were sent to (not_found).
status create_produce_topic(core& c, const std::string& name, produce_topic& t);
// How long a produce waits, in a cluster, for an auto-created topic's
// partitions to take their roles on this broker.
inline constexpr std::chrono::milliseconds cluster_topic_wait{1000};
// create_produce_topic as the protocol layers call it. Standalone the same;
// in a cluster (core::create_in_cluster) the controller records the topic
// in etcd first (asked by this broker when it is another), then this waits
// (polling, up to cluster_topic_wait) until the topic's partitions have
// taken their roles here, and sets `found`: unavailable (retriable) when
// they have not in time, not_leader when this broker holds no replica of it.
// The topic is never created here before etcd has it.
boost::asio::awaitable<status> ensure_produce_topic(core& c, const std::string& name, produce_topic& t);

// Where one record asks to go.
struct record_target {
    std::optional<partition_id> partition;  // explicit
    std::optional<std::string_view> key;
};
// Each record's partition: its explicit one, else murmur2 of its key
// (rules/partitioner.h), else, for every unkeyed record of this call, the
// same partition, the next after the previous call's (round robin per
// batch). invalid_argument, naming the record, when an explicit partition
// is not below `partitions`.
result<std::vector<partition_id>> choose_partitions(core& c, const std::string& topic,
                                                    std::span<const record_target> records, std::int32_t partitions);

// One partition's batch of a produce.
struct batch_write {
    batch_write(partition* p, log::batch_bytes b) : target(p), batch(std::move(b)) {}

    partition* target;       // kept alive by the caller's shared_ptr<topic>
    log::batch_bytes batch;  // one finished batch, owned or lent (until write_batches returns); moved into the log
    // Set by write_batches: the first problem of this write (ok: acknowledged
    // as asked), whether the batch reached the log, and where.
    status error;
    bool written = false;
    log::append_result appended;
};

enum class on_failure {
    end_all,         // the first failure ends the call; later writes are not made (one answer per request: HTTP)
    each_its_own,    // every write goes as far as it can (one answer per partition: Kafka)
};

// Checks, appends and waits, in this order, for every write: with acks=all
// a partition short of in-sync replicas is refused before anything is
// written (not_enough_replicas); each batch is appended; then each is waited
// for as `acks` asks (replication: not_enough_replicas when the ISR shrank
// below --min-insync, not_leader, timed_out after max_replication_wait).
// Returns the first failure, ok when none.
boost::asio::awaitable<status> write_batches(core& c, std::span<batch_write> writes, acks_mode acks,
                                             on_failure policy);

}  // namespace gafka::broker
