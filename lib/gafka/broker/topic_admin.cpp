#include "gafka/broker/topic_admin.h"

#include "gafka/rules/names.h"
#include "gafka/util/clock.h"

namespace gafka::broker {

status internal_topic(const std::string& name) {
    return status::invalid_argument("topic '" + name + "' is internal: the brokers alone write, grow and keep it");
}

boost::asio::awaitable<status> delete_topic(topic_manager& topics, group_coordinator& groups, offsets_store& offsets,
                                            std::string name, const delete_topic_in_cluster_fn& in_cluster) {
    if (rules::is_internal_topic(name)) co_return internal_topic(name);
    bool recorded = false;  // deleted from etcd: done, whether this broker holds a copy or not
    if (in_cluster) {
        auto s = co_await in_cluster(name);
        if (!s.ok() && s.code() != status_code::not_found) co_return s;
        recorded = s.ok();
    }
    if (!topics.find(name)) co_return recorded ? status{} : status::not_found("unknown topic '" + name + "'");
    if (auto s = topics.remove(name); !s.ok()) {
        // not_found: this broker's replica pass deleted it meanwhile, and its group offsets.
        co_return recorded && s.code() == status_code::not_found ? status{} : s;
    }
    auto before = offsets.log_end();
    auto dropped = groups.remove_topic(name, util::steady_clock_ms());
    // In a cluster only the groups' coordinator has offsets to drop.
    if (dropped.ok() && (!offsets.replicated() || offsets.log_end() != before)) {
        auto through = offsets.log_end();
        dropped = co_await offsets.wait_committed(through);
    }
    if (!dropped.ok())
        co_return status(dropped.code(),
                         "topic '" + name + "' was deleted, but not the group offsets of it: " + dropped.message());
    co_return status{};
}

boost::asio::awaitable<status> add_partitions(topic_manager& topics, const add_partitions_in_cluster_fn& in_cluster,
                                              const std::string& name, std::int32_t partitions) {
    if (rules::is_internal_topic(name)) co_return internal_topic(name);
    if (!in_cluster) {
        auto grown = topics.add_partitions(name, partitions);
        co_return grown.ok() ? status{} : grown.error();
    }
    if (auto s = co_await in_cluster(name, partitions); !s.ok()) co_return s;
    auto t = topics.find(name);
    if (!t || static_cast<std::int32_t>(t->partitions.size()) >= partitions) co_return status{};
    auto grown = topics.add_partitions(name, partitions);
    // invalid_argument: this broker's replica pass grew it first.
    if (!grown.ok() && grown.error().code() != status_code::invalid_argument) co_return grown.error();
    co_return status{};
}

}  // namespace gafka::broker
