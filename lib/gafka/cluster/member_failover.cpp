// The member's part in failover (docs/cluster.md, "Failover"): the
// controller's election passes and a leader's ISR records. Both run on the
// member's thread, like the rest of member.cpp.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "gafka/cluster/election.h"
#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;
namespace {

auto lg() { return util::logger("cluster"); }

}  // namespace

void member::elect_leaders() {
    if (electing_) {
        elect_again_ = true;
        return;
    }
    electing_ = true;
    asio::co_spawn(*io_, election_pass(), asio::detached);
}

asio::awaitable<void> member::election_pass() {
    do {
        elect_again_ = false;
        elect_pending_ = false;
        std::set<std::int32_t> live;
        for (const auto& [id, b] : brokers_)
            if (b.live) live.insert(id);
        std::vector<topic_partition_ref> keys;
        for (const auto& [where, _] : partitions_) keys.push_back(where);
        for (const auto& where : keys) {
            if (!controller_ || leaving_) break;
            auto it = partitions_.find(where);
            if (it == partitions_.end()) continue;
            const auto before = it->second;
            auto next = elect_leader(before.state, live, config_.unclean_leader_election);
            if (!next) continue;
            const revision_t epoch = controller_epoch_;
            next->controller_epoch = epoch;
            auto r = co_await etcd_->txn(
                update_partition_txn(keys_, where.first, where.second, *next, before.mod_revision, epoch));
            if (!r.ok()) {
                lg()->warn("controller {}: could not record a new leader of {}/{}: {}", config_.self.id, where.first,
                           where.second, r.error().message());
                break;  // etcd is away: the next read of the cluster starts a pass again
            }
            if (!r->succeeded) continue;  // the key or the controller changed: the watch brings it, and a pass
            partitions_[where] = {*next, r->revision};
            publish();
            lg()->info("controller {} (epoch {}): {}/{} now led by {} at leader epoch {} (was {}), ISR {}",
                       config_.self.id, epoch, where.first, where.second,
                       next->leader < 0 ? std::string("nobody") : "broker " + std::to_string(next->leader),
                       next->leader_epoch,
                       before.state.leader < 0 ? std::string("nobody") : "broker " + std::to_string(before.state.leader),
                       fmt::join(next->isr, ","));
        }
    } while (elect_again_ && controller_ && !leaving_);
    electing_ = false;
}

void member::propose_isr(isr_proposal proposal) {
    if (stopped_ || !thread_.joinable()) return;
    asio::post(*io_, [this, proposal = std::move(proposal)]() mutable {
        topic_partition_ref where{proposal.topic, proposal.partition};
        if (leaving_ || !registered_ || isr_writes_.contains(where)) return;
        isr_writes_.insert(where);
        asio::co_spawn(*io_, write_isr(std::move(proposal)), asio::detached);
    });
}

asio::awaitable<void> member::write_isr(isr_proposal proposal) {
    topic_partition_ref where{proposal.topic, proposal.partition};
    if (auto it = partitions_.find(where); it != partitions_.end()) {
        const auto before = it->second;
        if (auto next = with_isr(before.state, config_.self.id, proposal.leader_epoch, proposal.isr)) {
            auto r = co_await etcd_->txn(
                update_isr_txn(keys_, where.first, where.second, *next, before.mod_revision));
            if (!r.ok())
                lg()->warn("{}/{}: could not record ISR {} in etcd: {}", where.first, where.second,
                           fmt::join(proposal.isr, ","), r.error().message());
            else if (r->succeeded) {
                partitions_[where] = {*next, r->revision};
                publish();
                lg()->info("{}/{}: ISR {} recorded (was {})", where.first, where.second, fmt::join(next->isr, ","),
                           fmt::join(before.state.isr, ","));
            }
        }
    }
    isr_writes_.erase(where);
}

}  // namespace gafka::cluster
