#pragma once
// What a Kafka request handler answers: the response body and what its
// record sets point into: bytes in memory (record_bytes, which must outlive
// the body's encoding) or ranges of segment files (files), which a plain
// TCP connection sends with sendfile, from the page cache without copying
// (records_t::external_slot names the range).
#include <deque>
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

}  // namespace gafka::kafka
