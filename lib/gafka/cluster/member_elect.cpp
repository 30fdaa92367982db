// member::elect_preferred: the controller moves leadership back to each
// partition's preferred replica (gafka-admin elect-leaders).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;

status member::elect_preferred(const std::string& topic, std::vector<elected_leader>& elected) {
    auto made = std::make_shared<std::vector<elected_leader>>();
    auto s = run_bounded(record_preferred(topic, made), "some leaders may or may not have moved");
    if (s.code() != status_code::unavailable) elected = *made;  // not while the member's thread may still write it
    return s;
}

// Parameters by value: the caller may stop waiting before this ends.
asio::awaitable<status> member::record_preferred(std::string topic,
                                                 std::shared_ptr<std::vector<elected_leader>> elected) {
    if (!controller_ || clock::now() >= valid_until_) co_return not_controller();
    std::set<std::int32_t> live;
    for (const auto& [id, b] : brokers_)
        if (b.live) live.insert(id);
    std::vector<topic_partition_ref> keys;
    for (const auto& [where, _] : partitions_)
        if (topic.empty() || where.first == topic) keys.push_back(where);
    if (!topic.empty() && keys.empty())
        co_return status::not_found("unknown topic '" + topic + "': not recorded in cluster '" + config_.name + "'");
    const revision_t epoch = controller_epoch_;
    for (const auto& where : keys) {
        auto it = partitions_.find(where);
        if (it == partitions_.end()) continue;
        auto before = it->second;
        // A key changed since the mirror read it (an ISR write, say) is
        // decided again from what the failed txn read; a few times at most.
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (!controller_ || controller_epoch_ != epoch) co_return not_controller();
            auto next = preferred_leader(before.state, live);
            if (!next) break;
            next->controller_epoch = epoch;
            auto r = co_await etcd_->txn(
                update_partition_txn(keys_, where.first, where.second, *next, before.mod_revision, epoch));
            if (!r.ok())
                co_return status::unavailable("could not record a new leader of " + where.first + "/" +
                                              std::to_string(where.second) + " in etcd: " + r.error().message());
            if (r->succeeded) {
                partitions_[where] = {*next, r->revision};
                publish();
                elected->push_back({where.first, where.second, next->leader, next->leader_epoch});
                util::logger("cluster")->info(
                    "controller {} (epoch {}): {}/{} led by its preferred replica {} at leader epoch {} (was {})",
                    config_.self.id, epoch, where.first, where.second, next->leader, next->leader_epoch,
                    before.state.leader);
                break;
            }
            if (r->ranges.empty() || r->ranges[0].empty()) break;  // the key is gone
            const auto& now = r->ranges[0][0];
            if (now.mod_revision == before.mod_revision) {  // the key held: the epoch did not
                if (controller_) step_down("etcd holds another controller epoch");
                co_return not_controller();
            }
            auto state = decode_partition(now.value);
            if (!state.ok()) break;
            before = {*state, now.mod_revision};
        }
    }
    co_return status{};
}

}  // namespace gafka::cluster
