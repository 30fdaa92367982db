#include "gafka/log/partition_log.h"

#include <algorithm>
#include <charconv>
#include <future>

#include "gafka/util/clock.h"
#include "gafka/util/endian.h"
#include "gafka/util/logging.h"

namespace gafka::log {
namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("log"); }

offset_t read_recovery_point(const std::filesystem::path& dir) {
    auto text = util::read_whole_file(dir / recovery_point_file);
    if (!text.ok()) return 0;
    offset_t v = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || v < 0) {
        lg()->warn("{}: unreadable recovery point, scanning every segment", dir.string());
        return 0;
    }
    return v;
}

}  // namespace

result<std::unique_ptr<partition_log>> partition_log::open(const std::filesystem::path& dir, log_options options) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return status::io_error("create " + dir.string() + ": " + ec.message());
    if (options.segment_bytes < min_segment_bytes || options.segment_bytes > max_segment_bytes)
        return status::invalid_argument("segment size must be between 1 KiB and " + std::to_string(max_segment_bytes) +
                                        " bytes");
    std::unique_ptr<partition_log> log(new partition_log(dir, std::move(options)));
    if (auto s = log->recover(); !s.ok()) return s;
    return log;
}

partition_log::~partition_log() {
    std::unique_lock lock(mu_);
    syncs_idle_.wait(lock, [&] { return !syncing_; });
    // A failed log is left as it is (trim fsyncs) for recovery to read.
    if (segments_.empty() || !failed_.ok()) return;
    if (auto s = active_locked()->trim(); !s.ok())
        lg()->warn("{}: could not trim the preallocated end of the log: {}", dir_.string(), s.to_string());
}

status partition_log::recover() {
    std::vector<offset_t> bases;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
        if (auto base = parse_segment_file_name(entry.path().filename().string(), log_suffix)) bases.push_back(*base);
    if (ec) return status::io_error("list " + dir_.string() + ": " + ec.message());
    std::sort(bases.begin(), bases.end());

    recovery_point_ = read_recovery_point(dir_);
    for (std::size_t i = 0; i < bases.size(); ++i) {
        bool last = i + 1 == bases.size();
        scan_summary scan;
        auto seg = segment::open(dir_, bases[i], recovery_point_, options_.index_interval_bytes, scan);
        if (!seg.ok()) return seg.error();
        ++recovery_.segments;
        recovery_.bytes_scanned += scan.valid_end - scan.start_position;
        recovery_.records_scanned += scan.records;
        if (!segments_.empty() && bases[i] < segments_.rbegin()->second->next_offset() && !corrupt_at_) {
            corrupt_at_ = bases[i];
            lg()->error("{}: segment {} overlaps the one before it; refusing to serve from offset {}", dir_.string(),
                        (*seg)->log_path().string(), bases[i]);
        }
        if (scan.problem) {
            const auto& p = *scan.problem;
            if (last && !p.valid_data_follows) {
                auto cut = scan.file_size - scan.valid_end;
                lg()->warn("{}: cut torn tail of {}: {} bytes at position {} from offset {} ({})", dir_.string(),
                           (*seg)->log_path().filename().string(), cut, scan.valid_end, (*seg)->next_offset(),
                           to_string(p.reason));
                if (auto s = (*seg)->truncate(scan.valid_end, (*seg)->next_offset()); !s.ok()) return s;
                recovery_.truncated_bytes += cut;
                recovery_.truncated_at = (*seg)->next_offset();
            } else if (!corrupt_at_) {
                corrupt_at_ = (*seg)->next_offset();
                recovery_.corruption = p;
                recovery_.corrupt_file = (*seg)->log_path();
                lg()->error("{}: corruption in the middle of the log: {} at position {} of {}; serving offsets "
                            "below {} only until gafka-walcheck --repair",
                            dir_.string(), to_string(p.reason), p.position, (*seg)->log_path().string(),
                            *corrupt_at_);
            }
        }
        if (!last)
            if (auto s = (*seg)->seal(); !s.ok()) return s;
        segments_[bases[i]] = std::move(*seg);
    }
    if (segments_.empty()) {
        auto seg = segment::create(dir_, recovery_point_, options_.index_interval_bytes);
        if (!seg.ok()) return seg.error();
        segments_[recovery_point_] = std::move(*seg);
    }
    end_offset_ = active_locked()->next_offset();
    if (auto s = active_locked()->sync(); !s.ok()) return s;
    durable_ = end_offset_;
    publish_locked();
    if (auto s = rebuild_producers_locked(); !s.ok()) return s;
    if (!corrupt_at_ && recovery_point_ != end_offset_) return write_recovery_point(end_offset_);
    return {};
}

status partition_log::rebuild_producers_locked() {
    producers_.clear();
    auto oldest_kept = util::wall_clock_ms() - producer_expiration_ms;
    auto upto = corrupt_at_.value_or(end_offset_);
    for (const auto& [base, seg] : segments_) {
        if (base >= upto) break;
        if (seg->max_timestamp() < oldest_kept && seg != active_locked()) continue;
        std::uint64_t pos = 0;
        offset_t expected = base;
        char hdr[batch_header_size];
        while (pos < seg->size_bytes() && expected < upto) {
            auto n = seg->read_at(hdr, sizeof hdr, pos);
            if (!n.ok()) return n.error();
            auto h = decode_header(hdr);
            if (*n < sizeof hdr || h.base_offset != expected || h.length < batch_header_size) break;
            producers_.appended(h, h.max_timestamp);
            pos += h.length;
            expected = h.next_offset();
        }
    }
    return {};
}

status partition_log::write_recovery_point(offset_t offset) {
    if (auto s = util::atomic_write_file(dir_ / recovery_point_file, std::to_string(offset) + "\n"); !s.ok())
        return s;
    recovery_point_ = offset;
    return {};
}

status partition_log::writable_locked() const {
    if (!failed_.ok()) return failed_;
    if (closed_) return status::invalid_argument("log " + dir_.string() + " is closed");
    if (corrupt_at_)
        return status::corruption("log " + dir_.string() + " is corrupt at offset " + std::to_string(*corrupt_at_) +
                                  "; run gafka-walcheck --repair");
    return {};
}

result<append_result> partition_log::append(batch_bytes batch, epoch_t epoch) {
    if (batch.size() < batch_header_size) return status::invalid_argument("batch too short");
    auto h = decode_header(batch.view().data());
    if (h.record_count < 1 || h.length != batch.size()) return status::invalid_argument("malformed batch");
    std::lock_guard lock(mu_);
    if (auto s = writable_locked(); !s.ok()) return s;
    if (h.producer_id >= 0) {
        auto c = producers_.check(h.producer_id, h.producer_epoch, h.base_sequence, h.record_count);
        if (c.verdict == sequence_verdict::duplicate) return append_result{c.original_base, c.original_last, true};
        if (c.verdict == sequence_verdict::stale_epoch)
            return status::fenced("producer " + std::to_string(h.producer_id) + " sent epoch " +
                                  std::to_string(h.producer_epoch) + " but is at epoch " +
                                  std::to_string(c.current_epoch));
        if (c.verdict == sequence_verdict::out_of_order)
            return status::conflict("producer " + std::to_string(h.producer_id) + " sent sequence " +
                                    std::to_string(h.base_sequence) + " but " + std::to_string(c.expected) +
                                    " was due next");
    }
    // As restamp(), in the bytes themselves (owned or lent).
    util::store_be<std::int64_t>(batch.data() + batch_field::base_offset, end_offset_);
    util::store_be<std::int32_t>(batch.data() + batch_field::leader_epoch, epoch);
    h.base_offset = end_offset_;
    h.leader_epoch = epoch;
    return append_locked(batch.view(), h);
}

result<append_result> partition_log::append_stamped(std::string_view batch) {
    if (auto p = check_batch(batch); p != batch_problem::none)
        return status::corruption(std::string("replicated batch rejected: ") + to_string(p));
    auto h = decode_header(batch.data());
    std::lock_guard lock(mu_);
    if (auto s = writable_locked(); !s.ok()) return s;
    if (h.base_offset != end_offset_)
        return status::out_of_range("batch starts at offset " + std::to_string(h.base_offset) + ", log ends at " +
                                    std::to_string(end_offset_));
    return append_locked(batch, h);
}

result<append_result> partition_log::append_locked(std::string_view batch, const batch_header& h) {
    if (auto s = discard_failed_write_locked(); !s.ok()) return s;
    auto active = active_locked();
    if (!active->empty() && active->size_bytes() + batch.size() > options_.segment_bytes)
        if (auto s = roll_locked(); !s.ok()) return s;
    if (auto s = active_locked()->append(batch, h, options_.segment_bytes); !s.ok()) return write_error_locked(s);
    if (!write_failed_.ok()) {
        lg()->info("{}: appends succeed again after the disk was full", dir_.string());
        write_failed_ = {};
    }
    end_offset_ = h.next_offset();
    publish_locked();
    producers_.appended(h, util::wall_clock_ms());
    return append_result{h.base_offset, h.last_offset()};
}

status partition_log::write_error_locked(const status& s) {
    if (s.code() != status_code::no_space) return fail_locked(s);
    if (write_failed_.ok())
        lg()->error("{}: disk full, refusing appends until a write succeeds again (nothing acknowledged is lost): {}",
                    dir_.string(), s.message());
    write_failed_ = s;
    return s;
}

status partition_log::fail_locked(const status& s) {
    failed_ = status(s.code(), s.message() + "; " + dir_.string() +
                               " refuses writes until the broker is restarted (recovery then re-reads it from disk)");
    lg()->error("{}", failed_.message());
    return failed_;
}

status partition_log::discard_failed_write_locked() {
    if (write_failed_.ok()) return {};
    auto seg = active_locked();
    auto from = std::max(durable_, seg->base_offset());
    auto pos = seg->position_of(from);
    if (!pos.ok()) return fail_locked(pos.error());
    if (auto s = seg->discard_failed_append(*pos, from); !s.ok())
        return s.code() == status_code::no_space ? s : fail_locked(s);
    return {};
}

// The new segment is made before the old one is sealed: a full disk can fail
// either step, and the old segment must then still be the one appended to.
// A recovery point that cannot be written fails this append only: the older
// one on disk stays valid, recovery just scans more.
status partition_log::roll_locked() {
    auto old = active_locked();
    auto seg = segment::create(dir_, end_offset_, options_.index_interval_bytes);
    if (!seg.ok()) return write_error_locked(seg.error());
    if (auto s = old->seal(); !s.ok()) return write_error_locked(s);
    durable_ = std::max(durable_, old->next_offset());
    segments_[end_offset_] = std::move(*seg);
    publish_locked();
    return write_recovery_point(end_offset_);
}

void partition_log::sync_async(offset_t through, std::function<void(status)> done) {
    bool start = false, wake = false;
    {
        std::lock_guard lock(mu_);
        if (!failed_.ok()) {
            auto s = failed_;
            done(s);
            return;
        }
        if (durable_ >= through) {
            done({});
            return;
        }
        sync_waiters_.emplace(through, std::move(done));
        if (!syncing_) syncing_ = start = true;
        else wake = gathering_ && gather_.enough(sync_waiters_.size());
    }
    if (wake) gather_wake_.notify_one();
    if (!start) return;
    if (options_.run_blocking) options_.run_blocking([this] { run_syncs(); });
    else run_syncs();
}

void partition_log::run_syncs() {
    for (bool fsynced = false;; fsynced = true) {
        offset_t target;
        std::int64_t truncations;
        std::shared_ptr<segment> seg;
        {
            std::unique_lock lock(mu_);
            for (;;) {
                if (sync_waiters_.empty() || !failed_.ok()) {
                    auto waiters = std::move(sync_waiters_);
                    sync_waiters_.clear();
                    auto s = failed_;
                    syncing_ = false;
                    syncs_idle_.notify_all();
                    for (auto& [_, done] : waiters) done(s);
                    return;
                }
                // One fsync a turn on a pool: with waiters left, the next turn
                // goes to the back of the pool's queue. A log that always has
                // a waiter when its fsync ends (a producer that pipelines, as
                // Kafka clients do, faster than the fsyncs) would otherwise
                // hold a pool thread for as long as that lasts, and with more
                // such logs than the pool's threads, the others' fsyncs would
                // wait as long (the unit test's other log waited 5 s through
                // 58,584 fsyncs of the busy one).
                if (fsynced && options_.run_blocking) {
                    lock.unlock();
                    options_.run_blocking([this] { run_syncs(); });
                    return;
                }
                // Gathering: a bounded wait for the writers the last fsync answered (sync_gather.h).
                auto at = gather_.start_at(sync_waiters_.size());
                if (at <= sync_gather::clock::now()) break;
                gathering_ = true;
                gather_wake_.wait_until(lock, at);
                gathering_ = false;
            }
            target = end_offset_;
            truncations = truncations_;
            seg = active_locked();
        }
        // A roll between here and the fsync seals (and so fsyncs) the older
        // segment itself, so syncing the segment we saw covers `target`.
        auto started = sync_gather::clock::now();
        auto s = seg->sync();
        auto ended = sync_gather::clock::now();
        if (options_.on_fsync) options_.on_fsync(ended - started);
        std::vector<std::function<void(status)>> ready;
        {
            std::lock_guard lock(mu_);
            ++sync_count_;
            if (!s.ok()) {
                (void)fail_locked(s);
                continue;
            }
            // A truncation meanwhile may have cut below `target`, and batches
            // appended there since were not in this fsync.
            if (truncations == truncations_) durable_ = std::max(durable_, target);
            publish_locked();
            auto end = sync_waiters_.upper_bound(durable_);
            for (auto it = sync_waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
            sync_waiters_.erase(sync_waiters_.begin(), end);
            gather_.fsync_done(started, ended, ready.size(), sync_waiters_.size());
        }
        for (auto& done : ready) done({});
    }
}

status partition_log::sync(offset_t through) {
    std::promise<status> p;
    auto f = p.get_future();
    sync_async(through, [&p](status s) { p.set_value(std::move(s)); });
    return f.get();
}

result<retention_result> partition_log::apply_retention(std::int64_t max_bytes, std::int64_t max_age_ms,
                                                        timestamp_ms now) {
    std::lock_guard lock(mu_);
    producers_.expire(now);
    retention_result r;
    std::uint64_t total = 0;
    for (const auto& [_, seg] : segments_) total += seg->size_bytes();
    while (segments_.size() > 1) {
        auto seg = segments_.begin()->second;
        bool too_big = max_bytes >= 0 && total > static_cast<std::uint64_t>(max_bytes);
        bool too_old = max_age_ms >= 0 && seg->max_timestamp() < now - max_age_ms;
        if (!too_big && !too_old) break;
        if (auto s = seg->remove_files(); !s.ok()) return s;
        lg()->info("{}: retention deleted {} (offsets {}..{}, {} bytes, {})", dir_.string(),
                   seg->log_path().filename().string(), seg->base_offset(), seg->next_offset() - 1,
                   seg->size_bytes(), too_big ? "over the size limit" : "older than the age limit");
        total -= seg->size_bytes();
        ++r.segments_deleted;
        r.bytes_deleted += seg->size_bytes();
        segments_.erase(segments_.begin());
        publish_locked();
    }
    if (r.segments_deleted > 0)
        if (auto s = util::sync_directory(dir_); !s.ok()) return s;
    return r;
}

status partition_log::truncate_to(offset_t offset) {
    std::lock_guard lock(mu_);
    if (auto s = writable_locked(); !s.ok()) return s;
    if (offset >= end_offset_) return {};
    if (offset < segments_.begin()->first)
        return status::out_of_range("cannot truncate below the log start " + std::to_string(segments_.begin()->first));
    while (segments_.size() > 1 && segments_.rbegin()->first >= offset) {
        auto seg = segments_.rbegin()->second;
        if (auto s = seg->remove_files(); !s.ok()) return s;
        segments_.erase(std::prev(segments_.end()));
    }
    auto seg = active_locked();
    auto pos = seg->position_of(offset);
    if (!pos.ok()) return pos.error();
    if (*pos < seg->size_bytes()) {
        char hdr[batch_header_size];
        auto n = seg->read_at(hdr, sizeof hdr, *pos);
        if (!n.ok()) return n.error();
        if (decode_header(hdr).base_offset != offset)
            return status::invalid_argument("offset " + std::to_string(offset) + " is not a batch boundary");
    }
    lg()->warn("{}: truncating from offset {} (log end was {})", dir_.string(), offset, end_offset_);
    if (auto s = seg->truncate(*pos, offset); !s.ok()) return fail_locked(s);
    end_offset_ = offset;
    durable_ = std::min(durable_, offset);
    publish_locked();
    ++truncations_;  // an fsync in flight now proves nothing of what is appended next
    if (auto s = rebuild_producers_locked(); !s.ok()) return s;
    return write_recovery_point(std::min(recovery_point_, offset));
}

status partition_log::close() {
    std::unique_lock lock(mu_);
    syncs_idle_.wait(lock, [&] { return !syncing_; });
    if (closed_) return status::invalid_argument("log " + dir_.string() + " is already closed");
    closed_ = true;
    if (!failed_.ok()) return failed_;
    if (auto s = active_locked()->seal(); !s.ok()) return s;
    durable_ = end_offset_;
    publish_locked();
    if (corrupt_at_) return {};
    return write_recovery_point(end_offset_);
}

void partition_log::publish_locked() {
    published_start_.store(segments_.begin()->first, std::memory_order_release);
    published_end_.store(end_offset_, std::memory_order_release);
    published_durable_.store(durable_, std::memory_order_release);
}

offset_t partition_log::log_start_offset() const { return published_start_.load(std::memory_order_acquire); }
offset_t partition_log::log_end_offset() const { return published_end_.load(std::memory_order_acquire); }
offset_t partition_log::durable_offset() const { return published_durable_.load(std::memory_order_acquire); }
std::optional<offset_t> partition_log::corrupt_offset() const {
    std::lock_guard lock(mu_);
    return corrupt_at_;
}
std::uint64_t partition_log::size_bytes() const {
    std::lock_guard lock(mu_);
    std::uint64_t total = 0;
    for (const auto& [_, seg] : segments_) total += seg->size_bytes();
    return total;
}
std::int64_t partition_log::segment_count() const {
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(segments_.size());
}
std::int64_t partition_log::sync_count() const {
    std::lock_guard lock(mu_);
    return sync_count_;
}
status partition_log::failure() const {
    std::lock_guard lock(mu_);
    return failed_;
}

}  // namespace gafka::log
