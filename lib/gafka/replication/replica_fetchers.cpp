#include "gafka/replication/replica_fetchers.h"

#include "gafka/util/logging.h"

namespace gafka::replication {

void replica_fetchers::stop() {
    assign({});
    for (auto& f : retiring_) f->stop();
    retiring_.clear();
}

void replica_fetchers::assign(const std::map<replica_id, leader_partitions>& plan) {
    std::erase_if(retiring_, [](const auto& f) {
        if (!f->finished()) return false;
        f->stop();  // joins a thread that has ended
        return true;
    });
    for (auto it = running_.begin(); it != running_.end();) {
        auto want = plan.find(it->first);
        if (want == plan.end() || want->second.partitions.empty() || !(want->second.leader == it->second.at)) {
            it->second.fetcher->request_stop();
            retiring_.push_back(std::move(it->second.fetcher));
            util::logger("replication")->info("no longer copying from broker {} at {}", it->first, it->second.at.to_string());
            it = running_.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [id, want] : plan) {
        if (want.partitions.empty()) continue;
        auto [it, fresh] = running_.try_emplace(id);
        auto& f = it->second;
        if (fresh) {
            f.at = want.leader;
            f.partitions = std::make_shared<shared_partitions>();
        }
        {
            std::lock_guard plock(f.partitions->mu);
            f.partitions->list = want.partitions;
        }
        if (!fresh) continue;
        auto options = base_;
        options.leader = want.leader;
        options.partitions = [shared = f.partitions] {
            std::lock_guard plock(shared->mu);
            return shared->list;
        };
        f.fetcher = std::make_unique<replica_fetcher>(topics_, state_, std::move(options));
        f.fetcher->start();
        util::logger("replication")->info("copying {} partition(s) from broker {} at {}", want.partitions.size(), id,
                                           want.leader.to_string());
    }
}

}  // namespace gafka::replication
