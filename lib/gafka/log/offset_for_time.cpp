// partition_log::offset_for_time: the lookup behind reset-offsets --to-time
// and gafka-consume --from-time. Record timestamps need not grow with
// offsets (producers set them), so the answer is the first record in offset
// order that is new enough, as Kafka's ListOffsets gives.
#include "gafka/log/decoded_batch.h"
#include "gafka/log/partition_log.h"

namespace gafka::log {

result<offset_t> partition_log::offset_for_time(timestamp_ms t, offset_t upto) const {
    auto m = record_for_time(t, upto);
    if (!m.ok()) return m.error();
    return m->offset;
}

result<partition_log::time_match> partition_log::record_for_time(timestamp_ms t, offset_t upto) const {
    offset_t from = no_offset, limit;
    {
        std::lock_guard lock(mu_);
        limit = std::min(upto, end_offset_);
        if (corrupt_at_) limit = std::min(limit, *corrupt_at_);
        for (const auto& [base, seg] : segments_)
            if (!seg->empty() && seg->max_timestamp() >= t) {
                from = std::max(seg->scan_start_for_time(t), segments_.begin()->first);
                break;
            }
    }
    time_match none{limit, -1};
    if (from == no_offset) return none;
    constexpr std::size_t chunk = 1 << 20;
    while (from < limit) {
        auto r = read(from, chunk, limit);
        if (!r.ok()) return r.error();
        if (r->data.empty()) break;
        std::string_view rest = r->data;
        while (rest.size() >= batch_header_size) {
            auto h = decode_header(rest.data());
            if (h.length < batch_header_size || h.length > rest.size()) break;
            if (h.max_timestamp >= t) {
                decoded_batch records(rest.substr(0, h.length));
                if (!records.error().ok()) return records.error();
                record_view rec;
                while (records.next(rec))
                    if (rec.timestamp >= t && rec.offset >= from)
                        return rec.offset < limit ? time_match{rec.offset, rec.timestamp} : none;
            }
            rest.remove_prefix(h.length);
        }
        if (r->next_offset <= from) break;  // no progress: nothing more to read
        from = r->next_offset;
    }
    return none;
}

}  // namespace gafka::log
