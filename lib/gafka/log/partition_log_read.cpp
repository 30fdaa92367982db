// partition_log's read side: finding where a read starts, reading whole
// batches (a copy, or a file range for sendfile) and refusing to read past
// damage. The lookup by time is in offset_for_time.cpp.
#include "gafka/log/partition_log.h"

#include <algorithm>

#include "gafka/util/logging.h"

namespace gafka::log {
namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("log"); }

// Batch headers read a window at a time: a caught-up consumer's fetch
// names a run of small batches (a Kafka producer's of one record each), and
// their headers then come several to a pread instead of one each.
class header_window {
public:
    explicit header_window(const segment& seg) : seg_(seg) {}
    // The header at `pos`, with at least a header's room before `end`; an
    // empty view when the file ends first.
    result<std::string_view> at(std::uint64_t pos, std::uint64_t end) {
        if (pos < from_ || pos + batch_header_size > from_ + length_) {
            auto n = seg_.read_at(buf_, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf_, end - pos)), pos);
            if (!n.ok()) return n.error();
            from_ = pos;
            length_ = *n;
            if (length_ < batch_header_size) return std::string_view{};
        }
        return std::string_view(buf_ + (pos - from_), batch_header_size);
    }

private:
    const segment& seg_;
    char buf_[16 << 10];
    std::uint64_t from_ = 0;
    std::uint64_t length_ = 0;
};

}  // namespace

result<partition_log::read_start> partition_log::locate(offset_t from, offset_t upto) const {
    std::lock_guard lock(mu_);
    auto start = segments_.begin()->first;
    if (from < start)
        return status::out_of_range("offset " + std::to_string(from) + " is before the log start " +
                                    std::to_string(start));
    if (from > end_offset_)
        return status::out_of_range("offset " + std::to_string(from) + " is past the log end " +
                                    std::to_string(end_offset_));
    read_start r;
    r.limit = std::min(upto, end_offset_);
    if (corrupt_at_) r.limit = std::min(r.limit, *corrupt_at_);
    if (from >= r.limit) {
        if (corrupt_at_ && from >= *corrupt_at_)
            return status::corruption("partition log " + dir_.string() + " is corrupt at offset " +
                                      std::to_string(*corrupt_at_));
        return r;  // nothing to read: no segment
    }
    auto it = std::prev(segments_.upper_bound(from));
    while (it->second->next_offset() <= from && std::next(it) != segments_.end()) ++it;  // skip a gap
    r.seg = it->second;
    auto p = r.seg->position_of(from);
    if (!p.ok()) return p.error();
    r.pos = *p;
    r.end_pos = r.seg->size_bytes();
    return r;
}

void partition_log::mark_corrupt(offset_t at, const char* problem, const segment& seg, std::uint64_t position) const {
    {
        std::lock_guard lock(mu_);
        if (!corrupt_at_ || *corrupt_at_ > at) corrupt_at_ = at;
    }
    lg()->error("{}: {} in {} at position {}; refusing to serve from offset {} on", dir_.string(), problem,
                seg.log_path().string(), position, at);
}

result<file_range> partition_log::read_range(offset_t from, std::size_t max_bytes, offset_t upto) const {
    auto start = locate(from, upto);
    if (!start.ok()) return start.error();
    file_range out;
    out.next_offset = from;
    if (!start->seg) return out;
    const auto& seg = *start->seg;
    out.file = start->seg;
    out.fd = seg.fd();
    out.position = start->pos;
    header_window headers(seg);
    for (auto pos = start->pos; pos + batch_header_size <= start->end_pos;) {
        auto hdr = headers.at(pos, start->end_pos);
        if (!hdr.ok()) return hdr.error();
        if (hdr->empty()) break;
        auto h = decode_header(hdr->data());
        auto problem = check_header(h, *hdr);
        if (problem == batch_problem::none && pos + h.length > start->end_pos) problem = batch_problem::truncated;
        if (problem == batch_problem::none && h.base_offset >= start->limit) break;
        bool in_order = out.length == 0 ? h.base_offset <= from : h.base_offset == out.next_offset;
        if (problem != batch_problem::none || !in_order) {
            auto at = out.length == 0 ? from : out.next_offset;
            mark_corrupt(at, problem != batch_problem::none ? to_string(problem) : "offset out of order", seg, pos);
            if (out.length == 0)
                return status::corruption("partition log " + dir_.string() + " is corrupt at offset " +
                                          std::to_string(at));
            break;
        }
        if (out.length > 0 && out.length + h.length > max_bytes) break;  // the first batch comes whole
        out.length += h.length;
        out.records += h.record_count;
        out.next_offset = h.next_offset();
        pos += h.length;
    }
    return out;
}

result<read_result> partition_log::read(offset_t from, std::size_t max_bytes, offset_t upto) const {
    auto start = locate(from, upto);
    if (!start.ok()) return start.error();
    read_result out;
    out.next_offset = from;
    if (!start->seg) return out;
    auto seg = start->seg;
    auto pos = start->pos, end_pos = start->end_pos;
    auto limit = start->limit;
    if (pos >= end_pos) return out;
    auto want = std::min<std::uint64_t>(end_pos - pos, std::max<std::size_t>(max_bytes, batch_header_size));
    out.data.resize(want);
    auto n = seg->read_at(out.data.data(), want, pos);
    if (!n.ok()) return n.error();
    out.data.resize(*n);
    if (out.data.size() >= batch_header_size) {  // the first batch is read whole, however large
        auto first_len = decode_header(out.data.data()).length;
        if (first_len > out.data.size() && first_len <= max_batch_bytes && pos + first_len <= end_pos) {
            out.data.resize(first_len);
            auto m = seg->read_at(out.data.data(), first_len, pos);
            if (!m.ok()) return m.error();
        }
    }
    std::size_t used = 0;
    while (used + batch_header_size <= out.data.size()) {
        std::string_view rest(out.data.data() + used, out.data.size() - used);
        auto h = decode_header(rest.data());
        auto problem = check_header(h, rest.substr(0, batch_header_size));
        bool partial = problem == batch_problem::none && h.length > rest.size();
        if (partial && pos + used + h.length <= end_pos) break;  // the next read gets it whole
        if (problem == batch_problem::none) problem = check_batch_no_decompress(rest);
        if (problem == batch_problem::none && h.base_offset >= limit) break;
        bool in_order = used == 0 ? h.base_offset <= from : h.base_offset == out.next_offset;
        if (problem != batch_problem::none || !in_order) {
            auto at = used == 0 ? from : out.next_offset;
            mark_corrupt(at, problem != batch_problem::none ? to_string(problem) : "offset out of order", *seg,
                         pos + used);
            if (used == 0)
                return status::corruption("partition log " + dir_.string() + " is corrupt at offset " +
                                          std::to_string(at));
            break;
        }
        used += h.length;
        out.next_offset = h.next_offset();
    }
    out.data.resize(used);
    return out;
}

}  // namespace gafka::log
