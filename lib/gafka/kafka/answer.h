#pragma once
// What a Kafka request handler answers: the response body and the bytes its
// record sets (records_t views) point into, which must outlive the body's
// encoding (a Fetch answer's batches, read from the log).
#include <deque>
#include <string>

#include "gafka/kafka/value.h"

namespace gafka::kafka {

struct answer {
    answer() = default;
    answer(value b) : body(std::move(b)) {}  // NOLINT: a body alone is an answer
    value body;
    std::deque<std::string> record_bytes;  // a deque: adding one moves none of the others
};

}  // namespace gafka::kafka
