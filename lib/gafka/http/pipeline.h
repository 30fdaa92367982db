#pragma once
// HTTP/1.1 pipelining on one connection: the requests read but not yet
// answered, in the order they came. The server's reader starts each
// request's handler as soon as it is read, so a request can be appended to
// a log while the one before it waits for its fsync (they share it, group
// commit); the writer sends the answers in request order. All of it lives
// on the connection's one thread.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <cstddef>
#include <deque>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "gafka/http/context.h"
#include "gafka/util/wakeup.h"

namespace gafka::http {

using util::wakeup;

// One request's place in the answer order.
struct pipelined_answer {
    response res;
    bool ready = false;
    std::size_t request_bytes = 0;  // counted against the connection's limit until answered
};

struct pipeline {
    explicit pipeline(const boost::asio::any_io_executor& ex) : writer_wake(ex), reader_wake(ex) {}

    // At most this many requests read ahead of their answers, and no new
    // one read while the bodies of those add up to --max-body-bytes.
    static constexpr std::size_t max_depth = 16;
    bool full(std::size_t max_bytes) const { return answers.size() >= max_depth || queued_bytes >= max_bytes; }

    std::deque<std::shared_ptr<pipelined_answer>> answers;
    std::size_t queued_bytes = 0;
    bool reading_done = false;  // the reader reads no more requests
    bool writer_done = false;   // the writer ended (all answered, or the connection failed)
    bool reader_idle = false;   // the reader waits for a next request's first byte
    wakeup writer_wake;         // an answer became ready, or reading ended
    wakeup reader_wake;         // an answer was written, or the writer ended
};

}  // namespace gafka::http
