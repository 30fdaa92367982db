#pragma once
// gafka-admin's subcommands. Each prints JSON lines on `out`; returns an exit
// code (0 ok, 1 operational failure or the broker refused).
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace gafka::tools {

struct admin_options {
    std::string brokers = "localhost:9001";
    std::string name;   // topic, for the topic subcommands
    std::string topic;  // partition-for, elect-leaders
    std::string key;    // partition-for
    std::int32_t partitions = 1;
    std::optional<std::int64_t> retention_bytes;
    std::optional<std::int64_t> retention_ms;
    std::optional<std::string> compression;  // a topic's compression.type
    std::optional<std::int32_t> replication_factor;
    bool if_not_exists = false;
    std::int32_t broker_id = -1;  // promote
};

// In a cluster the request goes to the controller, found in the metadata of
// a broker of `brokers` (which answers not_controller otherwise).
int admin_create_topic(const admin_options& o, std::ostream& out, std::ostream& err);
// Grows topic `name` to `partitions` partitions (never shrinks), at the
// controller in a cluster as create-topic.
int admin_alter_topic(const admin_options& o, std::ostream& out, std::ostream& err);
// Moves the leadership of each partition of `topic` (empty: of every topic)
// back to its preferred replica, at the controller as create-topic; prints
// each change as a JSON line.
int admin_elect_leaders(const admin_options& o, std::ostream& out, std::ostream& err);
int admin_list_topics(const admin_options& o, std::ostream& out, std::ostream& err);
int admin_describe_topic(const admin_options& o, std::ostream& out, std::ostream& err);
// At the controller in a cluster, as create-topic.
int admin_delete_topic(const admin_options& o, std::ostream& out, std::ostream& err);
int admin_metadata(const admin_options& o, std::ostream& out, std::ostream& err);
// The cluster a broker of `brokers` is a member of (its metadata's
// "cluster"): brokers with their addresses and liveness, the controller and
// its epoch. 1 when the broker runs standalone.
int admin_describe_cluster(const admin_options& o, std::ostream& out, std::ostream& err);
// Makes follower broker_id the leader: finds its address in the metadata of
// any broker in `brokers`, then asks it directly.
int admin_promote(const admin_options& o, std::ostream& out, std::ostream& err);
int admin_partition_for(const admin_options& o, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
