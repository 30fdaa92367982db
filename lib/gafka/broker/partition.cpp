#include "gafka/broker/partition.h"

namespace gafka::broker {

partition::partition(std::string topic, partition_id id, std::unique_ptr<log::partition_log> log, flush_policy flush)
    : topic_(std::move(topic)), id_(id), log_(std::move(log)), flush_(flush) {}

result<log::append_result> partition::append(std::string batch) {
    auto r = log_->append(std::move(batch));
    if (r.ok() && !flush_.sync_before_ack()) wake_waiters();
    return r;
}

void partition::when_durable(log::offset_t through, std::function<void(status)> done) {
    if (!flush_.sync_before_ack()) {
        done({});
        return;
    }
    log_->sync_async(through, [this, done = std::move(done)](status s) {
        if (s.ok()) wake_waiters();
        done(std::move(s));
    });
}

log::offset_t partition::visible_end() const {
    return flush_.sync_before_ack() ? log_->durable_offset() : log_->log_end_offset();
}

std::uint64_t partition::wait_for_data(std::function<void()> wake) {
    std::lock_guard lock(mu_);
    auto id = next_waiter_++;
    waiters_.emplace_back(id, std::move(wake));
    return id;
}

void partition::cancel_wait(std::uint64_t id) {
    std::lock_guard lock(mu_);
    std::erase_if(waiters_, [id](const auto& w) { return w.first == id; });
}

void partition::wake_waiters() {
    std::vector<std::pair<std::uint64_t, std::function<void()>>> woken;
    {
        std::lock_guard lock(mu_);
        woken.swap(waiters_);
    }
    for (auto& [_, wake] : woken) wake();
}

}  // namespace gafka::broker
