#include "gafka/log/segment.h"

#include <fcntl.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "gafka/log/batch_v1.h"
#include "gafka/util/logging.h"

namespace gafka::log {
namespace {

// Rewrites a magic-1 segment (gafka 0.1) as magic 2, offsets, timestamps
// and epochs unchanged: into a temporary file, fsynced, renamed over the
// old one, and its index removed so the open that follows rebuilds it. A
// crash at any point leaves either the old file (the next open rewrites it
// again) or the new one. A torn tail is dropped, as recovery would cut it;
// damage with valid batches after it is refused, for gafka-walcheck --repair.
status rewrite_as_v2(const std::filesystem::path& dir, offset_t base_offset, const util::file& old) {
    auto tmp_path = dir / (segment_file_name(base_offset, log_suffix) + ".v2-tmp");
    auto tmp = util::file::open(tmp_path, O_RDWR | O_CREAT | O_TRUNC);
    if (!tmp.ok()) return tmp.error();
    std::string out;
    std::uint64_t written = 0;
    status failure;
    auto flush = [&] {
        failure = tmp->pwrite_all(out.data(), out.size(), written);
        written += out.size();
        out.clear();
        return failure.ok();
    };
    auto scan = scan_segment(
        old, 0, base_offset,
        [&](std::uint64_t, std::string_view batch) {
            out += v1::to_v2(batch);
            return out.size() < (4u << 20) || flush();
        },
        format_v1);
    if (!scan.ok()) return scan.error();
    if (!failure.ok() || !flush()) return failure;
    if (scan->problem && scan->problem->valid_data_follows)
        return status::corruption(old.path().string() + ": magic-1 segment damaged at position " +
                                  std::to_string(scan->problem->position) + " (" +
                                  to_string(scan->problem->reason) +
                                  "); gafka-walcheck --repair cuts it, then start again");
    if (auto s = tmp->sync_data(); !s.ok()) return s;
    std::error_code ec;
    std::filesystem::rename(tmp_path, old.path(), ec);
    if (ec) return status::io_error("rename " + tmp_path.string() + ": " + ec.message());
    std::filesystem::remove(dir / segment_file_name(base_offset, index_suffix), ec);
    if (auto s = util::sync_directory(dir); !s.ok()) return s;
    util::logger("log")->info("{}: rewrote {} magic-1 batch(es) of {} bytes as magic 2 ({} bytes){}",
                              old.path().string(), scan->batches, scan->valid_end, written,
                              scan->problem ? ", dropping a torn tail" : "");
    return {};
}

}  // namespace

std::string segment_file_name(offset_t base_offset, const char* suffix) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
    return std::string(buf) + suffix;
}

std::optional<offset_t> parse_segment_file_name(const std::string& name, const char* suffix) {
    std::string_view s(name), suf(suffix);
    if (s.size() != segment_name_digits + suf.size() || !s.ends_with(suf)) return std::nullopt;
    s.remove_suffix(suf.size());
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    offset_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

result<std::shared_ptr<segment>> segment::create(const std::filesystem::path& dir, offset_t base_offset,
                                                 std::size_t index_interval) {
    std::shared_ptr<segment> seg(new segment(base_offset, index_interval));
    auto f = util::file::open(dir / segment_file_name(base_offset, log_suffix), O_RDWR | O_CREAT);
    if (!f.ok()) return f.error();
    auto size = f->size();
    if (!size.ok()) return size.error();
    if (*size != 0) return status::already_exists("segment " + f->path().string() + " is not empty");
    seg->log_ = std::move(*f);
    seg->next_offset_ = base_offset;
    if (auto s = seg->index_.open_for_append(dir / segment_file_name(base_offset, index_suffix), 0); !s.ok())
        return s;
    if (auto s = seg->index_.truncate_from_position(0); !s.ok()) return s;
    if (auto s = util::sync_directory(dir); !s.ok()) return s;
    return seg;
}

result<std::shared_ptr<segment>> segment::open(const std::filesystem::path& dir, offset_t base_offset,
                                               offset_t recovery_point, std::size_t index_interval,
                                               scan_summary& scan) {
    std::shared_ptr<segment> seg(new segment(base_offset, index_interval));
    auto f = util::file::open(dir / segment_file_name(base_offset, log_suffix), O_RDWR);
    if (!f.ok()) return f.error();
    auto format = detect_format(*f);
    if (!format.ok()) return format.error();
    if (*format == &format_v1) {
        if (auto s = rewrite_as_v2(dir, base_offset, *f); !s.ok()) return s;
        f = util::file::open(dir / segment_file_name(base_offset, log_suffix), O_RDWR);
        if (!f.ok()) return f.error();
    }
    seg->log_ = std::move(*f);
    auto size = seg->log_.size();
    if (!size.ok()) return size.error();
    auto& index = seg->index_;
    if (auto s = index.open_for_append(dir / segment_file_name(base_offset, index_suffix), *size); !s.ok()) return s;

    // Start at the last index entry below the recovery point, if that entry
    // really points at the batch it names; otherwise rescan the whole file.
    std::uint64_t start = 0;
    offset_t expected = base_offset;
    timestamp_ms max_ts_before = 0;
    if (recovery_point > base_offset) {
        auto rel = std::min<offset_t>(recovery_point - 1 - base_offset, UINT32_MAX);
        if (auto e = index.floor(static_cast<std::uint32_t>(rel)); e && e->position > 0) {
            char hdr[batch_header_size];
            auto n = seg->log_.pread(hdr, sizeof hdr, e->position);
            if (n.ok() && *n == sizeof hdr && decode_header(hdr).base_offset == base_offset + e->relative_offset) {
                start = e->position;
                expected = base_offset + e->relative_offset;
                auto before = index.floor(e->relative_offset - 1);
                max_ts_before = before ? before->max_timestamp : 0;
            }
        }
    }
    if (auto s = index.truncate_from_position(start); !s.ok()) return s;
    seg->next_offset_ = expected;
    seg->max_timestamp_ = max_ts_before;
    seg->size_ = start;
    status failure;
    auto r = scan_segment(seg->log_, start, expected, [&](std::uint64_t pos, std::string_view batch) {
        auto h = decode_header(batch.data());
        seg->size_ = pos;
        failure = seg->index_batch(pos, h, false);
        seg->size_ = pos + h.length;
        seg->next_offset_ = h.next_offset();
        seg->max_timestamp_ = std::max(seg->max_timestamp_, h.max_timestamp);
        seg->last_batch_position_ = pos;
        seg->last_batch_offset_ = h.base_offset;
        return failure.ok();
    });
    if (!r.ok()) return r.error();
    if (!failure.ok()) return failure;
    scan = *r;
    seg->zeros_end_ = scan.valid_end + scan.preallocated;
    return seg;
}

status segment::index_batch(std::uint64_t position, const batch_header& h, bool force) {
    auto last = index_.last();
    auto running_max = std::max(max_timestamp_, h.max_timestamp);
    if (!force && last && position - last->position < index_interval_) return {};
    if (last && last->position == position) return {};
    return index_.add({static_cast<std::uint32_t>(h.base_offset - base_offset_), static_cast<std::uint32_t>(position),
                       running_max});
}

status segment::append(std::string_view batch, const batch_header& h, std::uint64_t zero_limit) {
    if (auto s = log_.pwrite_all(batch.data(), batch.size(), size_); !s.ok()) return s;
    if (auto s = index_batch(size_, h, false); !s.ok()) return s;
    last_batch_position_ = size_;
    last_batch_offset_ = h.base_offset;
    recent_[recent_next_] = {h.base_offset, h.next_offset(), size_};
    recent_next_ = (recent_next_ + 1) % recent_batches;
    recent_count_ = std::min(recent_count_ + 1, recent_batches);
    size_ += batch.size();
    zeros_end_ = std::max(zeros_end_, size_);
    next_offset_ = h.next_offset();
    max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
    // The batch is written: failing to zero ahead (a full disk fails it
    // first) only costs later fsyncs, so it never fails the append.
    if (batch.size() > zero_ahead_max_batch || zero_ahead_failed_) return {};
    if (auto s = zero_ahead(zero_limit); !s.ok()) {
        util::logger("log")->warn("{}: stopped preallocating: {}", log_.path().string(), s.to_string());
        zero_ahead_failed_ = true;
        // Give back a partly written run of zeros (and its space).
        if (auto t = log_.truncate(zeros_end_); !t.ok())
            util::logger("log")->warn("{}: {}", log_.path().string(), t.to_string());
    }
    return {};
}

// Tops the zeros up to zero_ahead_bytes once fewer than half are left, so a
// batch smaller than that never grows the file.
status segment::zero_ahead(std::uint64_t limit) {
    if (zeros_end_ >= limit || zeros_end_ - size_ >= zero_ahead_bytes / 2) return {};
    static const char zeros[1 << 20] = {};
    auto to = std::min(size_ + zero_ahead_bytes, limit);
    for (auto pos = zeros_end_; pos < to;) {
        auto n = std::min<std::uint64_t>(sizeof zeros, to - pos);
        if (auto s = log_.pwrite_all(zeros, n, pos); !s.ok()) return s;
        pos += n;
        zeros_end_ = pos;
    }
    return {};
}

status segment::cut_zeros() {
    if (zeros_end_ == size_) return {};
    if (auto s = log_.truncate(size_); !s.ok()) return s;
    zeros_end_ = size_;
    return {};
}

status segment::trim() {
    if (zeros_end_ == size_) return {};
    if (auto s = cut_zeros(); !s.ok()) return s;
    return log_.sync_data();
}

status segment::discard_failed_append(std::uint64_t check_from, offset_t check_offset) {
    if (auto s = log_.truncate(size_); !s.ok()) return s;
    zeros_end_ = size_;
    if (auto s = index_.truncate_from_position(size_); !s.ok()) return s;
    auto scan = scan_segment(log_, check_from, check_offset);
    if (!scan.ok()) return scan.error();
    if (scan->problem || scan->valid_end != size_ || (scan->batches > 0 && scan->next_offset != next_offset_))
        return status::corruption(log_.path().string() + ": the batches after position " +
                                  std::to_string(check_from) + " no longer read back whole after a failed write");
    zero_ahead_failed_ = false;  // there is room again, or the next append says so
    return {};
}

offset_t segment::scan_start_for_time(timestamp_ms t) const {
    auto e = index_.last_before_time(t);
    return e ? base_offset_ + e->relative_offset : base_offset_;
}

result<std::uint64_t> segment::position_of(offset_t offset) const {
    if (offset < base_offset_) return std::uint64_t{0};
    if (offset >= next_offset_) return size_;
    if (auto p = recent_position(offset)) return *p;
    auto rel = std::min<offset_t>(offset - base_offset_, UINT32_MAX);
    auto e = index_.floor(static_cast<std::uint32_t>(rel));
    std::uint64_t pos = e ? e->position : 0;
    // Walk headers from the entry; verify the first one matches what the
    // index says, and fall back to the start of the file if it does not.
    char hdr[batch_header_size];
    bool checked = false;
    while (pos < size_) {
        auto n = log_.pread(hdr, sizeof hdr, pos);
        if (!n.ok()) return n.error();
        if (*n != sizeof hdr) return status::corruption("short read in " + log_.path().string());
        auto h = decode_header(hdr);
        if (!checked && e && h.base_offset != base_offset_ + e->relative_offset) {
            e.reset();
            pos = 0;
            continue;
        }
        checked = true;
        if (h.length < batch_header_size) return status::corruption("bad batch length in " + log_.path().string());
        if (h.next_offset() > offset) return pos;
        pos += h.length;
    }
    return size_;
}

std::optional<std::uint64_t> segment::recent_position(offset_t offset) const {
    auto oldest = (recent_next_ + recent_batches - recent_count_) % recent_batches;
    if (recent_count_ == 0 || offset < recent_[oldest].base_offset) return std::nullopt;
    for (std::size_t i = 0; i < recent_count_; ++i) {
        const auto& b = recent_[(oldest + i) % recent_batches];
        if (b.next_offset > offset) return b.position;
    }
    return std::nullopt;
}

result<std::size_t> segment::read_at(void* buf, std::size_t n, std::uint64_t position) const {
    return log_.pread(buf, n, position);
}

status segment::truncate(std::uint64_t position, offset_t next_offset) {
    if (auto s = log_.truncate(position); !s.ok()) return s;
    auto index_path = log_.path();
    index_path.replace_extension(index_suffix);
    if (auto s = index_.open_for_append(index_path, position); !s.ok()) return s;
    if (auto s = index_.truncate_from_position(position); !s.ok()) return s;
    size_ = zeros_end_ = position;
    next_offset_ = next_offset;
    recent_count_ = 0;
    if (last_batch_position_ && *last_batch_position_ >= position) {
        last_batch_position_.reset();
        last_batch_offset_.reset();
    }
    return log_.sync_data();
}

status segment::seal() {
    if (auto s = cut_zeros(); !s.ok()) return s;
    if (last_batch_position_ && last_batch_offset_) {
        batch_header h;
        h.base_offset = *last_batch_offset_;
        h.max_timestamp = max_timestamp_;
        if (auto s = index_batch(*last_batch_position_, h, true); !s.ok()) return s;
    }
    if (auto s = log_.sync_data(); !s.ok()) return s;
    return index_.seal();
}

status segment::remove_files() {
    std::error_code ec;
    std::filesystem::remove(log_.path(), ec);
    if (ec) return status::io_error("remove " + log_.path().string() + ": " + ec.message());
    return index_.remove_file();
}

}  // namespace gafka::log
