#pragma once
// Which leader epoch began at which offset, for one partition: Kafka's
// leader-epoch-checkpoint. A leader adds an entry when it is promoted; a
// follower adds one when the first batch of a newer epoch arrives. The file
// is written (atomically) before the first batch of a new epoch is appended,
// so a crash can leave an entry that points at the log end (dropped on open),
// never a batch without its entry.
//
// It answers Kafka's OffsetsForLeaderEpoch ("where did epoch E end in your
// log?"), and with it a returning former leader finds its divergent tail.
//
// Pure state (no I/O) except load/save. Not thread-safe: the owning
// partition serializes every call under its lock.
// Invariant: entries strictly increase in both epoch and start offset.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/log/record.h"
#include "gafka/util/status.h"

namespace gafka::replication {

using log::epoch_t;
using log::offset_t;

inline constexpr epoch_t no_epoch = -1;
inline constexpr const char* epoch_checkpoint_file = "leader-epoch-checkpoint";

struct epoch_entry {
    epoch_t epoch = 0;
    offset_t start_offset = 0;
    bool operator==(const epoch_entry&) const = default;
};

// The answer to "where did epoch E end": the largest epoch <= E this log
// knows, and the offset where it ended (the start of the next epoch, or the
// log end for the latest). {no_epoch, start of the first epoch or the log
// end} when the log knows no epoch <= E.
struct epoch_end {
    epoch_t epoch = no_epoch;
    offset_t end_offset = 0;
    bool operator==(const epoch_end&) const = default;
};

class leader_epoch_cache {
public:
    leader_epoch_cache() = default;

    // Records that `epoch` begins at `start`. Returns false and changes
    // nothing when `epoch` is not newer than the latest one (already known),
    // or `start` is below the latest entry's start (a caller bug).
    bool assign(epoch_t epoch, offset_t start);
    std::optional<epoch_t> latest_epoch() const;
    epoch_end end_offset_for(epoch_t epoch, offset_t log_end) const;
    // The log now ends at `offset` (cut there, or found there on open):
    // forgets the epochs that start at or past it, which hold no record.
    void truncate_from(offset_t offset);
    void clear() { entries_.clear(); }
    const std::vector<epoch_entry>& entries() const { return entries_; }

    // "epoch start_offset" per line, oldest first.
    std::string encode() const;
    static result<leader_epoch_cache> decode(std::string_view text);
    // Reads <dir>/leader-epoch-checkpoint; an absent file is an empty cache.
    static result<leader_epoch_cache> load(const std::filesystem::path& dir);
    status save(const std::filesystem::path& dir) const;

private:
    std::vector<epoch_entry> entries_;
};

// Where a follower must cut its log (ending at `follower_end`, its epochs in
// `follower`) so that it is a prefix of the leader's, given the leader's
// answer for the follower's latest epoch: the smaller of the leader's end of
// that epoch and the follower's own end of the same epoch (KIP-101/279).
// Returns follower_end when nothing needs cutting.
offset_t truncation_offset(const leader_epoch_cache& follower, offset_t follower_end, epoch_end leader_answer);

}  // namespace gafka::replication
