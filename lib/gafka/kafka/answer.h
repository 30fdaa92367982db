#pragma once
// What a Kafka request handler answers: the response body and what its
// record sets point into: bytes in memory (record_bytes, which must outlive
// the body's encoding) or ranges of segment files (files), which a plain
// TCP connection sends with sendfile, from the page cache without copying
// (records_t::external_slot names the range).
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "gafka/kafka/value.h"
#include "gafka/kafka/wire.h"
#include "gafka/log/partition_log.h"
#include "gafka/util/status.h"

namespace gafka::kafka {

struct answer {
    answer() = default;
    answer(value b) : body(std::move(b)) {}  // NOLINT: a body alone is an answer
    value body;
    std::deque<std::string> record_bytes;  // a deque: adding one moves none of the others
    std::vector<log::file_range> files;
};

// Fills the holes an encoding with splices left in `frame` from `files`
// (pread): the whole frame, for TLS connections and tests.
result<std::string> splice_in(const std::string& frame, const std::vector<splice>& splices,
                              const std::vector<log::file_range>& files);

// One request's place in a connection's answer order.
struct pending_answer {
    std::string frame;   // the encoded response; empty with no answer
    // Record sets sent from segment files into holes of `frame` (above).
    std::vector<splice> splices;
    std::vector<log::file_range> files;
    bool ready = false;
    bool close = false;  // the connection ends after this place (its answer, if any, written first)
    std::size_t request_bytes = 0;
};

// Answers without record sets that are ready one after another go out in
// one write of at most this many bytes: a pipelining producer's answers
// come due together, all released by one fsync, and written one by one
// they cost a send each and a wakeup of the client each.
inline constexpr std::size_t coalesce_max_bytes = 256 << 10;

// How many answers from the front of `answers` (whose first is ready and
// without record sets) to write together: those ready and without record
// sets, up to the first that ends the connection and within
// `max_bytes` (at least one).
std::size_t answers_written_together(const std::deque<std::shared_ptr<pending_answer>>& answers,
                                     std::size_t max_bytes = coalesce_max_bytes);

}  // namespace gafka::kafka
