#pragma once
// The Kafka APIs gafka answers: api key -> handler, one handler per API in
// kafka/handlers/ (as Redpanda's kafka/server/handlers). ApiVersions
// advertises exactly this table, so a client is never told of an API that
// would close its connection. A new API is one row here and one file there.
//
// A handler gets the decoded request and its connection's context and
// returns the response body (with the bytes its record sets point into,
// answer.h), or nullopt for a request Kafka does not answer
// (Produce with acks=0). It runs on the connection's one thread; it may
// suspend (an fsync, a long poll) while later requests of the connection
// start, and the server still writes the answers in request order.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <optional>
#include <span>

#include <boost/asio/awaitable.hpp>

#include "gafka/kafka/answer.h"
#include "gafka/kafka/context.h"
#include "gafka/kafka/frame.h"
#include "gafka/kafka/schema.h"
#include "gafka/kafka/value.h"

namespace gafka::kafka {

using handler_result = boost::asio::awaitable<std::optional<answer>>;
using handler_fn = handler_result (*)(const request& req, connection_context& conn);

struct api_handler {
    const api_schema* api;
    versions served;  // within api->supported: what ApiVersions advertises
    handler_fn handle;
    // May be called before the connection authenticated (SASL); every other
    // API on an unauthenticated connection closes it.
    bool before_authentication = false;
};

// Every dispatched API, in ascending api key order.
std::span<const api_handler> dispatch_table();
// The handler of `key`, or nullptr when gafka does not answer it.
const api_handler* find_handler(api_key_t key);

}  // namespace gafka::kafka
