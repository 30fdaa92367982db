#pragma once
// Topic admin that takes more than the topic manager: what the HTTP and
// Kafka protocol layers both call to delete a topic.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <string>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"

namespace gafka::broker {

// Deletes topic `name` and, durably, the groups' committed offsets of it
// (as Kafka does: a new topic of the same name is read from its start, also
// after a restart). not_found when the topic is not served (a damaged one
// neither: see topic_manager::damaged). Runs on the caller's executor; the
// offsets sync waits off it.
boost::asio::awaitable<status> delete_topic(topic_manager& topics, group_coordinator& groups, offsets_store& offsets,
                                            const std::string& name);

}  // namespace gafka::broker
