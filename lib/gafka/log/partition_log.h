#pragma once
// The log of one partition: a directory of segments, append and read by
// offset, group commit, recovery on open, retention and truncation.
//
// Thread safety: every public call may be made from any thread. Appends are
// serialized by one mutex; reads take it only to find their segment and read
// file bytes outside it, and the start, end and durable offsets are read
// without it. fsyncs run outside the mutex so appends continue
// while a sync is in flight (group commit: every sync covers all appends
// made before it started).
//
// Invariants: log_start_offset() <= durable_offset() <= log_end_offset().
// A write that finds the disk full (status_code::no_space) fails only its
// own append: it advanced nothing, and the next append first cuts what it
// may have left past the last whole batch and reads back the batches not
// yet fsynced, then writes (so the log works again once there is room).
// Any other write failure, and every fsync failure, fails the log for good:
// appends and syncs are refused until the broker restarts and recovery
// re-reads the log from disk (an fsync is never retried: the page cache may
// already have dropped the dirty pages). Corruption found in the middle of
// the log (on open or on a read) sets corrupt_offset(): reads stop before it
// and appends are refused until gafka-walcheck --repair.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gafka/log/batch.h"
#include "gafka/log/batch_bytes.h"
#include "gafka/log/format.h"
#include "gafka/log/producer_state.h"
#include "gafka/log/segment.h"
#include "gafka/log/sync_gather.h"

namespace gafka::log {

struct log_options {
    std::uint64_t segment_bytes = default_segment_bytes;
    std::size_t index_interval_bytes = default_index_interval_bytes;
    // Runs a blocking fsync job off the caller's thread (a pool shared by
    // the broker's logs; each job runs one fsync and posts the next, so the
    // logs take turns). Empty: sync_async runs the fsyncs on the calling
    // thread.
    std::function<void(std::function<void()>)> run_blocking;
    // Told how long each group-commit fsync took (sync/sync_async), on the
    // thread that ran it; for metrics. Empty: not timed.
    std::function<void(std::chrono::nanoseconds)> on_fsync;
    // How long the group commit waits after an fsync for the writers it
    // answered to come back (sync_gather.h).
    sync_gather::options gather;
};

// What recovery found and did when the log was opened.
struct recovery_report {
    std::int64_t segments = 0;
    std::uint64_t bytes_scanned = 0;
    std::int64_t records_scanned = 0;
    std::uint64_t truncated_bytes = 0;       // torn tail cut off
    offset_t truncated_at = no_offset;       // first offset of the cut
    std::optional<scan_problem> corruption;  // mid-log damage left in place
    std::filesystem::path corrupt_file;
};

struct append_result {
    offset_t base_offset = 0;
    offset_t last_offset = 0;
    bool duplicate = false;  // an idempotent producer's retry: these are the offsets it already had
};

// Whole batches read from the log, back to back, as stored.
struct read_result {
    std::string data;
    offset_t next_offset = 0;  // where the next read should start
};

// Whole batches as a byte range of one segment file, to be sent from the
// page cache without copying (sendfile). `file` keeps the segment's
// descriptor open while the range is sent, also if retention deletes it.
struct file_range {
    std::shared_ptr<const void> file;
    int fd = -1;
    std::uint64_t position = 0;
    std::uint64_t length = 0;  // 0: nothing to read at `from` yet
    std::int64_t records = 0;
    offset_t next_offset = 0;  // where the next read should start
};

struct retention_result {
    std::int64_t segments_deleted = 0;
    std::uint64_t bytes_deleted = 0;
};

class partition_log {
public:
    static result<std::unique_ptr<partition_log>> open(const std::filesystem::path& dir, log_options options = {});
    ~partition_log();
    partition_log(const partition_log&) = delete;
    partition_log& operator=(const partition_log&) = delete;

    // Appends `batch` (from batch_builder::finish, or lent: batch_bytes.h)
    // with offsets assigned here, stamped into its bytes.
    // Written to the page cache, not yet durable: see sync/sync_async.
    // A batch with a producer id is checked against that producer's
    // epoch and sequence (producer_state.h): a retry of a batch the log has
    // is not appended again but answered with its offsets (duplicate set),
    // one after a gap is refused with status_code::conflict and one from an
    // older producer epoch with status_code::fenced.
    result<append_result> append(batch_bytes batch, epoch_t epoch = 0);
    // Appends a batch that already carries its offsets (a replica's copy of
    // the leader's batch); its base offset must be log_end_offset().
    result<append_result> append_stamped(std::string_view batch);

    // Group commit: calls `done` once everything before `through` is on disk
    // (or with the error that stops it). Concurrent callers share fsyncs.
    void sync_async(offset_t through, std::function<void(status)> done);
    status sync(offset_t through);
    status sync() { return sync(log_end_offset()); }

    // Whole batches starting with the one holding `from`, up to about
    // `max_bytes` (always at least one batch), none at or past `upto`.
    result<read_result> read(offset_t from, std::size_t max_bytes, offset_t upto) const;
    result<read_result> read(offset_t from, std::size_t max_bytes) const { return read(from, max_bytes, INT64_MAX); }
    // The same batches as read() would return, as a range of the segment
    // file instead of a copy. Only their headers are read and checked
    // (length, magic, counts, offsets in order), not their CRCs: the batches
    // were checked when appended or recovered, and a client checks them
    // again (Kafka does the same). A bad header marks the log corrupt there,
    // as read() does.
    result<file_range> read_range(offset_t from, std::size_t max_bytes, offset_t upto) const;

    // The offset of the first record whose timestamp is >= `t` (Kafka's
    // ListOffsets by time), or the end of what may be read (`upto`, the log
    // end or the corrupt offset) when there is none. Scans only from the
    // first segment whose newest record is that new, from its index.
    result<offset_t> offset_for_time(timestamp_ms t, offset_t upto = INT64_MAX) const;
    // The same lookup with the timestamp of the record found (-1 when there
    // is none: the offset is then the end), as Kafka's ListOffsets answers.
    struct time_match {
        offset_t offset = 0;
        timestamp_ms timestamp = -1;
    };
    result<time_match> record_for_time(timestamp_ms t, offset_t upto = INT64_MAX) const;

    // Removes whole sealed segments, oldest first, while the log is over
    // `max_bytes` (-1: no limit) or a segment's newest record is older than
    // `max_age_ms` before `now` (-1: no limit). Never the active segment.
    result<retention_result> apply_retention(std::int64_t max_bytes, std::int64_t max_age_ms, timestamp_ms now);
    // Cuts every record at or past `offset` (a batch boundary at or below the
    // end), as a follower does to a divergent tail.
    status truncate_to(offset_t offset);

    // Seals the active segment's index and records a recovery point at the
    // end, so the next open scans nothing. Further calls fail.
    status close();

    offset_t log_start_offset() const;
    offset_t log_end_offset() const;
    offset_t durable_offset() const;
    std::optional<offset_t> corrupt_offset() const;
    std::uint64_t size_bytes() const;
    std::int64_t segment_count() const;
    std::int64_t sync_count() const;
    status failure() const;
    const recovery_report& recovery() const { return recovery_; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    // Where a read of `from` starts: its segment (null when there is
    // nothing to read before `upto`), the batch's position, the segment's
    // end and the offset reads stop before.
    struct read_start {
        std::shared_ptr<segment> seg;
        std::uint64_t pos = 0, end_pos = 0;
        offset_t limit = 0;
    };
    result<read_start> locate(offset_t from, offset_t upto) const;
    // Refuses reads from `at` on, after a bad batch at `position` of `seg`.
    void mark_corrupt(offset_t at, const char* problem, const segment& seg, std::uint64_t position) const;
    partition_log(std::filesystem::path dir, log_options options)
        : dir_(std::move(dir)), options_(std::move(options)), gather_(options_.gather) {}
    status recover();
    // Reads the batch headers of every segment young enough to hold a
    // producer that has not expired, up to the log end or the corruption.
    status rebuild_producers_locked();
    status write_recovery_point(offset_t offset);
    result<append_result> append_locked(std::string_view batch, const batch_header& h);
    status roll_locked();
    // A write path's failure: a full disk is remembered in write_failed_ and
    // returned; anything else fails the log for good (fail_locked).
    status write_error_locked(const status& s);
    status fail_locked(const status& s);
    // Before each append while write_failed_ is set: segment::discard_failed_append.
    status discard_failed_write_locked();
    void run_syncs();
    status writable_locked() const;
    std::shared_ptr<segment> active_locked() const { return segments_.rbegin()->second; }
    void publish_locked();

    std::filesystem::path dir_;
    log_options options_;
    mutable std::mutex mu_;
    std::condition_variable syncs_idle_;
    std::map<offset_t, std::shared_ptr<segment>> segments_;  // by base offset; never empty once open
    offset_t end_offset_ = 0;
    offset_t durable_ = 0;
    // Copies of the log's start, end and durable offsets, stored under mu_
    // whenever they change (publish_locked) and read without it: a fetch
    // asks for them on every read and long-poll check, and need not wait
    // for an append's write on another thread (mu_ is held through it).
    std::atomic<offset_t> published_start_{0};
    std::atomic<offset_t> published_end_{0};
    std::atomic<offset_t> published_durable_{0};
    offset_t recovery_point_ = 0;  // batches below it are fsynced and trusted on open
    mutable std::optional<offset_t> corrupt_at_;
    status failed_;        // for good: see the class comment
    status write_failed_;  // the last append found the disk full; cleared by the next that succeeds
    bool closed_ = false;
    bool syncing_ = false;
    bool gathering_ = false;  // run_syncs waits on gather_wake_ for more waiters
    std::condition_variable gather_wake_;
    sync_gather gather_;
    std::int64_t sync_count_ = 0;
    std::int64_t truncations_ = 0;  // an fsync begun before a truncation covers nothing after it
    std::multimap<offset_t, std::function<void(status)>> sync_waiters_;
    recovery_report recovery_;
    producer_state_table producers_;
};

}  // namespace gafka::log
