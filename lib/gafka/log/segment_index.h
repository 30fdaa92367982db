#pragma once
// The sparse offset -> file position index of one segment (format.h).
// While its segment is active the entries live in a vector and each new entry
// is also written to the .idx file; once sealed the vector is dropped and the
// file is mapped read-only, so memory does not grow with what is stored.
// Not thread-safe: the owning segment serializes access.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "gafka/log/record.h"
#include "gafka/util/file.h"
#include "gafka/util/status.h"

namespace gafka::log {

struct index_entry {
    std::uint32_t relative_offset = 0;
    std::uint32_t position = 0;
    timestamp_ms max_timestamp = 0;
};

class segment_index {
public:
    segment_index() = default;
    ~segment_index();
    segment_index(const segment_index&) = delete;
    segment_index& operator=(const segment_index&) = delete;

    // Loads the .idx at `path` into memory for appending. A missing file gives
    // an empty index; a damaged one (size not a multiple of the entry size,
    // entries out of order) gives an empty index and stale() == true so the
    // caller rebuilds it. Entries at or past `log_size` are dropped.
    status open_for_append(const std::filesystem::path& path, std::uint64_t log_size);
    // Drops entries at or past `position` (after a truncation or before a rescan).
    status truncate_from_position(std::uint64_t position);
    status add(const index_entry& e);
    // Maps the file read-only and frees the in-memory entries.
    status seal();
    status remove_file();

    bool stale() const { return stale_; }
    std::size_t size() const;
    index_entry at(std::size_t i) const;
    // The last entry whose relative offset is <= `relative`, if any.
    std::optional<index_entry> floor(std::uint32_t relative) const;
    std::optional<index_entry> last() const;
    // The last entry whose running max timestamp is below `t`: every batch up
    // to and including it is older than `t`.
    std::optional<index_entry> last_before_time(timestamp_ms t) const;

private:
    std::filesystem::path path_;
    util::file file_;
    std::vector<index_entry> entries_;
    const unsigned char* mapped_ = nullptr;
    std::size_t mapped_entries_ = 0;
    bool stale_ = false;
};

}  // namespace gafka::log
