// member::add_partitions: the controller grows a topic in etcd.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;

status member::add_partitions(const std::string& topic, std::int32_t partitions) {
    return run_bounded(record_partitions(topic, partitions), "the partitions may or may not be recorded");
}

// Parameters by value: the caller may stop waiting before this ends.
asio::awaitable<status> member::record_partitions(std::string topic, std::int32_t partitions) {
    if (!controller_ || clock::now() >= valid_until_) co_return not_controller();
    // A named request: g++ 12 destroys a braced temporary in a co_await twice.
    const range_request topic_read{topic_key(keys_, topic), {}};
    auto read = co_await etcd_->range(topic_read);
    if (!read.ok()) co_return status::unavailable("could not read topic '" + topic + "' from etcd: " + read.error().message());
    if (read->kvs.empty()) co_return status::not_found("unknown topic '" + topic + "'");
    auto recorded = decode_topic(read->kvs[0].value);
    if (!recorded.ok()) co_return recorded.error();
    const auto have = recorded->partitions;
    if (partitions <= have)
        co_return status::invalid_argument("topic '" + topic + "' has " + std::to_string(have) +
                                           " partitions; partitions can only be added (ask for more than " +
                                           std::to_string(have) + ")");
    std::vector<std::int32_t> live;
    for (const auto& [id, b] : brokers_)
        if (b.live) live.push_back(id);
    // The whole topic's round-robin, of which the new partitions take the tail.
    auto assigned = assign_replicas(live, partitions, recorded->replication_factor, assignment_start(topic));
    if (!assigned.ok()) co_return assigned.error();
    const revision_t epoch = controller_epoch_;
    std::vector<partition_state> added(assigned->begin() + have, assigned->end());
    for (auto& p : added) p.controller_epoch = epoch;
    auto grown = *recorded;  // its config kept
    grown.partitions = partitions;
    const auto t = add_partitions_txn(keys_, topic, grown, read->kvs[0].mod_revision, have, added, epoch);
    auto r = co_await etcd_->txn(t);
    if (!r.ok())
        co_return status::unavailable("could not record the partitions of '" + topic + "' in etcd: " +
                                      r.error().message());
    if (!r->succeeded)
        co_return failed_controller_txn(
            *r, epoch, status(status_code::conflict, "topic '" + topic + "' changed in etcd meanwhile; try again"));
    util::logger("cluster")->info("controller {} (epoch {}) added partitions {}-{} to topic '{}'", config_.self.id,
                                  epoch, have, partitions - 1, topic);
    co_return status{};
}

}  // namespace gafka::cluster
