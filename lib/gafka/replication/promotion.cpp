#include "gafka/replication/promotion.h"

#include "gafka/util/logging.h"

namespace gafka::replication {

result<promotion> promote_to_leader(replication_state& state, broker::topic_manager& topics,
                                    replica_fetcher* fetcher) {
    if (state.is_leader()) return promotion{state.epoch(), false};
    if (fetcher) fetcher->stop();
    auto epoch = state.promote();
    if (!epoch.ok()) return epoch.error();
    for (const auto& t : topics.list())
        for (auto& p : t->partitions)
            if (auto s = p->become_leader(*epoch); !s.ok()) return s;
    util::logger("replication")->warn("this broker now leads every partition at epoch {}", *epoch);
    return promotion{*epoch, true};
}

}  // namespace gafka::replication
