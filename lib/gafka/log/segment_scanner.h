#pragma once
// The one reader of segment files that recovery, reads and gafka-walcheck
// share. It walks batches from a position, checks each (header, CRC, record
// framing, dense offsets) and stops at the first problem, saying where and
// whether valid batches follow it: a torn tail (nothing valid after the
// problem: the writer died mid-write) is told apart from corruption in the
// middle of a log (valid batches after it), as LevelDB's log reader does.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "gafka/log/batch.h"
#include "gafka/util/file.h"
#include "gafka/util/status.h"

namespace gafka::log {

struct scan_problem {
    std::uint64_t position = 0;       // file position of the bad batch
    offset_t offset = no_offset;      // offset the bad batch should have started at
    batch_problem reason = batch_problem::none;
    bool valid_data_follows = false;  // true: corruption mid-log, not a torn tail
};

struct scan_summary {
    std::uint64_t start_position = 0;
    std::uint64_t valid_end = 0;   // position just past the last good batch
    std::uint64_t file_size = 0;
    // Zero bytes from valid_end to the end of the file: space the writer
    // zeroed ahead of its appends (segment.h), not damage.
    std::uint64_t preallocated = 0;
    std::int64_t batches = 0;
    std::int64_t records = 0;
    offset_t first_offset = no_offset;
    offset_t next_offset = no_offset;  // one past the last good record
    timestamp_ms max_timestamp = 0;
    std::optional<scan_problem> problem;
};

// How a scan reads one batch format: magic 2 (format.h), or magic 1
// (batch_v1.h) for segments written by gafka 0.1.
struct batch_format {
    std::uint8_t magic;
    std::size_t header_size;
    std::size_t magic_position;
    batch_header (*decode_header)(const char*);
    batch_problem (*check_header)(const batch_header&, std::string_view);
    batch_problem (*check_batch)(std::string_view);
};
extern const batch_format format_v2;
extern const batch_format format_v1;

// The format of a segment file: magic 1 when it starts with a valid magic-1
// batch, or with a magic-1 header whose byte 16 is not magic 2's; else
// magic 2 (the format of an empty file and of every new one).
result<const batch_format*> detect_format(const util::file& f);

// Called for each good batch with its file position and bytes (valid only
// during the call). Return false to stop the scan early.
using batch_visitor = std::function<bool(std::uint64_t position, std::string_view batch)>;

// Scans `f` from `position`, where a batch with base offset `expected_offset`
// should start (no_offset: accept whatever the first batch says). Zero bytes
// from a batch boundary to the end of the file end the scan without a
// problem: they are counted in `preallocated`.
result<scan_summary> scan_segment(const util::file& f, std::uint64_t position, offset_t expected_offset,
                                  const batch_visitor& visit = {}, const batch_format& format = format_v2);

}  // namespace gafka::log
