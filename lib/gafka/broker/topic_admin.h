#pragma once
// Topic admin that takes more than the topic manager: what the HTTP and
// Kafka protocol layers both call to delete a topic.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"

namespace gafka::broker {

// The refusal of a client's delete, grow or write of an internal topic
// (rules::is_internal_topic): invalid_argument.
status internal_topic(const std::string& name);

// Deletes a topic from the cluster (cluster::member::delete_topic: the
// controller removes its keys from etcd), off the io threads; empty when
// standalone.
using delete_topic_in_cluster_fn = std::function<boost::asio::awaitable<status>(const std::string&)>;

// Deletes topic `name` and, durably, the groups' committed offsets of it
// (as Kafka does: a new topic of the same name is read from its start, also
// after a restart). not_found when the topic is not served (a damaged one
// neither: see topic_manager::damaged); internal_topic() for an internal
// one. In a cluster `in_cluster` first deletes it from etcd (not_leader on
// a broker that is not the controller; the other replicas drop their copies
// when they see it gone), then this broker's copy goes; a topic etcd does
// not have is deleted here alone, as standalone. Runs on the caller's
// executor; the etcd call and the offsets sync wait off it. `in_cluster`
// outlives the call.
boost::asio::awaitable<status> delete_topic(topic_manager& topics, group_coordinator& groups, offsets_store& offsets,
                                            std::string name, const delete_topic_in_cluster_fn& in_cluster);

// Records partitions added to a topic in the cluster (cluster::member::
// add_partitions: name, new count), off the io threads; empty when standalone.
using add_partitions_in_cluster_fn = std::function<boost::asio::awaitable<status>(const std::string&, std::int32_t)>;

// Grows topic `name` to `partitions` partitions, what the HTTP API and
// Kafka's CreatePartitions both call. Standalone: topic_manager::
// add_partitions. In a cluster `in_cluster` (the controller) checks the
// count against etcd and records the new partitions first; then this
// broker's copy, if it holds the topic, grows at once (its replicas grow
// theirs from etcd). An internal topic is refused. `in_cluster` and `name`
// outlive the call.
boost::asio::awaitable<status> add_partitions(topic_manager& topics, const add_partitions_in_cluster_fn& in_cluster,
                                              const std::string& name, std::int32_t partitions);

}  // namespace gafka::broker
