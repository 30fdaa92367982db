#pragma once
// What the Kafka group handlers share: the error a classic_groups answer
// becomes on the wire, and the short pause between looks at a join or a
// sync that waits for the rest of its group.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/classic_groups.h"
#include "gafka/kafka/context.h"
#include "gafka/kafka/errors.h"
#include "gafka/kafka/value.h"

namespace gafka::kafka::handlers {

error_code from_group_error(broker::group_error e);

// A request's group_instance_id (a static member's, KIP-345; JoinGroup v5,
// SyncGroup and Heartbeat v3, OffsetCommit v7, a LeaveGroup v3 member):
// empty when null or absent in the request's version.
std::string group_instance_id_of(const value& v);

// A client's host as Kafka shows it in DescribeGroups ("/127.0.0.1"), from
// a connection's peer "host:port" ("[::1]:port" for IPv6).
std::string client_host_of(std::string_view peer);

// Whether this broker serves group calls now (offsets_store::state):
// none, NOT_COORDINATOR (another broker leads the offsets partition) or
// COORDINATOR_LOAD_IN_PROGRESS (it is loading the offsets).
error_code coordinator_error(const broker_context& broker);

// How often a waiting JoinGroup or SyncGroup looks again.
inline constexpr std::chrono::milliseconds group_poll_interval{20};
boost::asio::awaitable<void> pause(std::chrono::milliseconds d);

}  // namespace gafka::kafka::handlers
