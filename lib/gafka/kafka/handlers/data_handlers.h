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

// A core status as a Kafka error code (for any API; the produce path's
// sequence conflict and replication outcomes are mapped by Produce itself).
inline error_code error_for(const status& s) {
    switch (s.code()) {
        case status_code::ok: return error_code::none;
        case status_code::not_found: return error_code::unknown_topic_or_partition;
        case status_code::out_of_range: return error_code::offset_out_of_range;
        case status_code::too_large: return error_code::message_too_large;
        case status_code::not_leader: return error_code::not_leader_or_follower;
        case status_code::not_enough_replicas: return error_code::not_enough_replicas;
        case status_code::timed_out: return error_code::request_timed_out;
        case status_code::already_exists: return error_code::topic_already_exists;
        case status_code::invalid_argument: return error_code::invalid_request;
        case status_code::corruption:
        case status_code::io_error:
        case status_code::no_space:
        case status_code::unavailable: return error_code::kafka_storage_error;
        case status_code::conflict:
        case status_code::fenced: break;
    }
    return error_code::unknown_server_error;
}

}  // namespace gafka::kafka
