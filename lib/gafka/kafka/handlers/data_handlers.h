#pragma once
// The Kafka handlers of the data path, Produce (handlers/produce.cpp) and
// Fetch (handlers/fetch.cpp): each takes a decoded request (frame.h) whose
// api is the one it serves and a served version, calls the broker core
// (broker/produce_path.h, broker/fetch_path.h) and builds the response body.
// They hold no broker logic of their own. Coroutines on the connection's
// executor; the core outlives them.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <deque>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/core.h"
#include "gafka/kafka/answer.h"
#include "gafka/kafka/errors.h"
#include "gafka/kafka/frame.h"
#include "gafka/kafka/value.h"
#include "gafka/util/status.h"

namespace gafka::kafka {

// Produce v3-7. nullopt for acks=0: Kafka sends no response then.
boost::asio::awaitable<std::optional<answer>> handle_produce(const request& req, broker::core& core);
// Fetch v4-11: long-polls on max_wait_ms/min_bytes through the core.
boost::asio::awaitable<std::optional<answer>> handle_fetch(const request& req, broker::core& core);


}  // namespace gafka::kafka
