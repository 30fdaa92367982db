#pragma once
// One segment: a `<base>.log` file of batches and its sparse `<base>.idx`.
// Thread affinity: mutating calls and position_of() run under the owning
// partition_log's lock; read_at() may run from any thread at any time (pread
// on a descriptor that lives as long as the shared_ptr does, so a segment
// removed by retention stays readable to a reader still holding it).
// Invariant: size_bytes() is always at a batch boundary, and every batch in
// [0, size_bytes()) passed its checks when appended or recovered.
//
// Preallocation: the active segment keeps zero bytes written ahead of its
// end, so that the fdatasync after an append flushes data alone. Writing
// into blocks that are already allocated and durable changes neither the
// file size nor an extent, and ext4 then has no journal commit to make (on
// this project's 2-core VM: 0.13 ms per fdatasync against 0.20 ms when each
// append grows the file). Only small batches zero ahead: when one fsync
// covers hundreds of KiB the file-size commit is a small part of it, and
// the zeros would double the bytes written (batched produce was 3-11%
// slower with them). Readers stop at size_bytes(), recovery and
// gafka-walcheck read the zero tail as preallocated space (man gafka-wal.5),
// and seal() and trim() give it back.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gafka/log/batch.h"
#include "gafka/log/segment_index.h"
#include "gafka/log/segment_scanner.h"
#include "gafka/util/file.h"

namespace gafka::log {

std::string segment_file_name(offset_t base_offset, const char* suffix);
// Parses "00000000000000000042.log"; nullopt for anything else.
std::optional<offset_t> parse_segment_file_name(const std::string& name, const char* suffix);

class segment {
public:
    static constexpr std::uint64_t zero_ahead_bytes = 1 << 20;
    static constexpr std::size_t zero_ahead_max_batch = 64 << 10;  // larger batches do not top the zeros up

    // Creates a new empty segment; fails if a non-empty file is there.
    static result<std::shared_ptr<segment>> create(const std::filesystem::path& dir, offset_t base_offset,
                                                   std::size_t index_interval);

    // Opens an existing segment and recovers it: batches starting before
    // `recovery_point` are trusted, the rest are scanned and checked, and the
    // index is rebuilt for what was scanned (all of it when the index is
    // missing or stale). The scan's findings land in `scan`; the segment's
    // end is the end of the last good batch (the caller decides whether the
    // bytes after it are a torn tail to cut or corruption to refuse).
    static result<std::shared_ptr<segment>> open(const std::filesystem::path& dir, offset_t base_offset,
                                                 offset_t recovery_point, std::size_t index_interval,
                                                 scan_summary& scan);

    offset_t base_offset() const { return base_offset_; }
    offset_t next_offset() const { return next_offset_; }
    std::uint64_t size_bytes() const { return size_; }
    timestamp_ms max_timestamp() const { return max_timestamp_; }
    bool empty() const { return size_ == 0; }
    const std::filesystem::path& log_path() const { return log_.path(); }

    // Appends one checked, stamped batch whose base offset is next_offset();
    // after a batch of up to zero_ahead_max_batch, tops up the zeros ahead of
    // the end, never growing the file past `zero_limit` that way.
    status append(std::string_view batch, const batch_header& h, std::uint64_t zero_limit = 0);
    // File position of the batch that holds `offset`, or of the first batch
    // after it; size_bytes() when there is none. Among the last
    // recent_batches appended it is found in memory; elsewhere, by reading
    // headers from the index entry before it.
    result<std::uint64_t> position_of(offset_t offset) const;
    // An offset at or before the first record with a timestamp >= `t`, found
    // with the index (no file reads): where a scan for that record may start.
    offset_t scan_start_for_time(timestamp_ms t) const;
    result<std::size_t> read_at(void* buf, std::size_t n, std::uint64_t position) const;
    int fd() const { return log_.fd(); }
    // Cuts everything from `position` (a batch boundary) on.
    status truncate(std::uint64_t position, offset_t next_offset);
    // Cuts the preallocated zeros off the file (a clean close, or a seal).
    status trim();
    // After an append failed (it changed nothing in memory, but may have left
    // part of a batch, of an index entry or of the zeros ahead in the
    // files): cuts the files back to the end of the last whole batch, then
    // reads back the batches from `check_from` (a batch boundary holding
    // offset `check_offset`) to that end, so nothing the failed write touched
    // is served. No fsync: a crash leaves at worst a torn tail, which
    // recovery cuts.
    status discard_failed_append(std::uint64_t check_from, offset_t check_offset);

    status sync() const { return log_.sync_data(); }
    // Trims, writes the final index entry, fsyncs the log and maps the index.
    status seal();
    status remove_files();

private:
    segment(offset_t base, std::size_t index_interval) : base_offset_(base), index_interval_(index_interval) {}
    status index_batch(std::uint64_t position, const batch_header& h, bool force);
    status zero_ahead(std::uint64_t limit);
    status cut_zeros();  // no fsync
    // The position of the batch holding `offset` (or the first after it)
    // when that is one of the last batches appended; else nullopt.
    std::optional<std::uint64_t> recent_position(offset_t offset) const;

    offset_t base_offset_;
    std::size_t index_interval_;
    util::file log_;
    segment_index index_;
    std::uint64_t size_ = 0;
    // [size_, zeros_end_) are zero bytes this segment wrote or recovery found
    // running to the end of the file; only they are ever cut. Any other
    // bytes past size_ (corruption recovery refuses to serve past) are kept.
    std::uint64_t zeros_end_ = 0;
    bool zero_ahead_failed_ = false;  // stop trying (and warning) until a failed append is discarded
    offset_t next_offset_ = 0;
    timestamp_ms max_timestamp_ = 0;
    std::optional<std::uint64_t> last_batch_position_;
    std::optional<offset_t> last_batch_offset_;
    // The last batches appended, a ring, oldest at (recent_next_ -
    // recent_count_): a reader following the tail asks for one of them, and
    // finds it without reading headers while appends wait on the log's lock.
    // Emptied by truncate(); empty after open (recovery).
    struct recent_batch {
        offset_t base_offset = 0;
        offset_t next_offset = 0;
        std::uint64_t position = 0;
    };
    static constexpr std::size_t recent_batches = 32;
    std::array<recent_batch, recent_batches> recent_{};
    std::size_t recent_next_ = 0;
    std::size_t recent_count_ = 0;
};

}  // namespace gafka::log
