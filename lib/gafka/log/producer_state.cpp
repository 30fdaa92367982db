#include "gafka/log/producer_state.h"

#include <algorithm>
#include <iterator>

namespace gafka::log {

sequence_check producer_state_table::check(std::int64_t id, producer_epoch_t epoch, std::int32_t base_sequence,
                                           std::int32_t count) const {
    auto it = producers_.find(id);
    // A producer this log does not know starts wherever it says: it may be
    // new (sequence 0) or forgotten (expired, or its batches removed by
    // retention before the table was rebuilt), as Kafka accepts too.
    if (it == producers_.end()) return {};
    const auto& p = it->second;
    if (epoch < p.epoch) return {sequence_verdict::stale_epoch, 0, 0, 0, p.epoch};
    if (epoch > p.epoch)  // a new epoch numbers its records from 0 again
        return base_sequence == 0 ? sequence_check{} : sequence_check{sequence_verdict::out_of_order, 0, 0, 0, p.epoch};
    const auto& recent = p.recent;
    auto last = recent.back().last_sequence;
    if (base_sequence == last + 1) return {};
    auto last_sequence = base_sequence + count - 1;
    for (const auto& b : recent)
        if (b.first_sequence == base_sequence && b.last_sequence == last_sequence)
            return {sequence_verdict::duplicate, b.base_offset, b.base_offset + count - 1, 0, p.epoch};
    return {sequence_verdict::out_of_order, 0, 0, last + 1, p.epoch};
}

void producer_state_table::appended(const batch_header& h, timestamp_ms now) {
    if (h.producer_id < 0 || h.base_sequence < 0) return;
    auto [it, added] = producers_.try_emplace(h.producer_id);
    auto& p = it->second;
    if (!added && h.producer_epoch < p.epoch) return;
    if (added || h.producer_epoch > p.epoch) {
        p.epoch = h.producer_epoch;
        p.recent.clear();
    }
    p.recent.push_back({h.base_sequence, h.base_sequence + h.record_count - 1, h.base_offset});
    if (p.recent.size() > producer_batches_kept) p.recent.pop_front();
    p.last_append = std::max(p.last_append, now);
}

void producer_state_table::expire(timestamp_ms now) {
    std::erase_if(producers_, [&](const auto& entry) { return now - entry.second.last_append > producer_expiration_ms; });
}

}  // namespace gafka::log
