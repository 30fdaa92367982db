#pragma once
// Idempotent producers, as a partition log sees them (Kafka's producer state
// manager, without transactions). A producer numbers its records per
// partition from 0; each batch carries its producer id, its producer epoch
// and the sequence of its first record. The table remembers, per producer,
// its epoch, the sequence it expects next and the offsets of its last few
// batches, so that a retried batch is answered with the offsets it already
// has instead of being appended twice, and a batch after a gap (a lost
// batch) is refused.
//
// Epochs: a producer that bumps its epoch (Kafka clients do after a batch
// they gave up on, with InitProducerId v3+; against gafka's v0-1 they ask
// for a new id instead) starts its sequences again at 0; a batch from an
// older epoch than the one the table holds is from an instance that was
// replaced and is refused (Kafka's INVALID_PRODUCER_EPOCH). gafka's HTTP
// producers always send epoch 0.
//
// Pure state, no I/O and no locking: the partition log keeps one under its
// append lock and rebuilds it from the batch headers on open and after a
// truncation.
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "gafka/log/batch.h"

namespace gafka::log {

// Batches per producer whose offsets are kept for answering retries: as many
// as a producer may have in flight (Kafka's max.in.flight with idempotence).
inline constexpr std::size_t producer_batches_kept = 5;
// A producer that appended nothing for this long is forgotten (Kafka's
// producer.id.expiration.ms default); a retry after that is appended again.
inline constexpr std::int64_t producer_expiration_ms = 24 * 60 * 60 * 1000;

using producer_epoch_t = std::int16_t;

enum class sequence_verdict {
    append,        // the next batch of this producer (or its first, or the first of a newer epoch)
    duplicate,     // a retry of a batch the log already has: `original` says where
    out_of_order,  // a gap or a batch older than those remembered: `expected` says what was due
    stale_epoch,   // an older epoch than the producer's: `current_epoch` says which one it has
};

struct sequence_check {
    sequence_verdict verdict = sequence_verdict::append;
    offset_t original_base = 0;
    offset_t original_last = 0;
    std::int32_t expected = 0;
    producer_epoch_t current_epoch = 0;
};

class producer_state_table {
public:
    // What to do with a batch of `count` records from producer `id` at
    // `epoch` whose first record has sequence `base_sequence`.
    sequence_check check(std::int64_t id, producer_epoch_t epoch, std::int32_t base_sequence,
                         std::int32_t count) const;
    // Notes an appended batch (ignored when its producer id is -1, or its
    // epoch is older than the producer's); a newer epoch replaces the
    // producer's batches. `now` is the append's wall-clock time, for expiry.
    void appended(const batch_header& h, timestamp_ms now);
    // Forgets producers idle for longer than producer_expiration_ms.
    void expire(timestamp_ms now);
    void clear() { producers_.clear(); }
    std::size_t size() const { return producers_.size(); }

private:
    struct batch_span {
        std::int32_t first_sequence;
        std::int32_t last_sequence;
        offset_t base_offset;
    };
    struct producer {
        producer_epoch_t epoch = 0;
        std::deque<batch_span> recent;  // of `epoch`, oldest first, at most producer_batches_kept; never empty
        timestamp_ms last_append = 0;
    };
    std::unordered_map<std::int64_t, producer> producers_;
};

}  // namespace gafka::log
