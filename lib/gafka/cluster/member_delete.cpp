// member::delete_topic: the controller removes a topic's keys from etcd.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include "gafka/rules/names.h"
#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;

status member::delete_topic(const std::string& topic) {
    return run_bounded(erase_topic(topic), "the topic may or may not be deleted");
}

// Parameters by value: the caller may stop waiting before this ends.
asio::awaitable<status> member::erase_topic(std::string topic) {
    if (rules::is_internal_topic(topic))
        co_return status::invalid_argument("topic '" + topic + "' is internal: the brokers alone keep it");
    if (!controller_ || clock::now() >= valid_until_) co_return not_controller();
    // A named request: g++ 12 destroys a braced temporary in a co_await twice.
    const range_request topic_read{topic_key(keys_, topic), {}};
    auto read = co_await etcd_->range(topic_read);
    if (!read.ok())
        co_return status::unavailable("could not read topic '" + topic + "' from etcd: " + read.error().message());
    if (read->kvs.empty())
        co_return status::not_found("topic '" + topic + "' is not recorded in cluster '" + config_.name + "'");
    const revision_t epoch = controller_epoch_;
    const auto t = delete_topic_txn(keys_, topic, read->kvs[0].mod_revision, epoch);
    auto r = co_await etcd_->txn(t);
    if (!r.ok())
        co_return status::unavailable("could not delete topic '" + topic + "' from etcd: " + r.error().message());
    if (!r->succeeded)
        co_return failed_controller_txn(
            *r, epoch, status(status_code::conflict, "topic '" + topic + "' changed in etcd meanwhile; try again"));
    // At once, as record_topic adds them: the watch brings the same deletes.
    std::erase_if(partitions_, [&topic](const auto& e) { return e.first.first == topic; });
    std::erase_if(created_at_, [&topic](const auto& e) { return e.first.first == topic; });
    topics_.erase(topic);
    publish();
    util::logger("cluster")->info("controller {} (epoch {}) deleted topic '{}' from etcd", config_.self.id, epoch,
                                  topic);
    co_return status{};
}

}  // namespace gafka::cluster
