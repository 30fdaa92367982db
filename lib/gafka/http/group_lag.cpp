#include "gafka/http/group_lag.h"

#include <algorithm>
#include <map>
#include <set>

namespace gafka::http {

std::vector<partition_lag> group_lags(const broker::topic_manager& topics, const broker::group_view& v) {
    std::map<broker::topic_partition, std::string> owner;
    for (const auto& m : v.members)
        for (const auto& tp : m.assignment) owner[tp] = m.consumer_id;
    std::set<broker::topic_partition> tps;
    for (const auto& [tp, _] : owner) tps.insert(tp);
    for (const auto& [tp, _] : v.committed) tps.insert(tp);
    std::vector<partition_lag> out;
    for (const auto& tp : tps) {
        auto topic = topics.find(tp.topic);
        if (!topic || tp.partition < 0 || tp.partition >= static_cast<std::int32_t>(topic->partitions.size()))
            continue;
        auto& part = *topic->partitions[static_cast<std::size_t>(tp.partition)];
        partition_lag l;
        l.tp = tp;
        if (auto o = owner.find(tp); o != owner.end()) l.owner = o->second;
        if (auto c = v.committed.find(tp); c != v.committed.end()) l.committed = c->second;
        l.log_end = part.visible_end();
        l.lag = std::max<std::int64_t>(0, l.log_end - l.committed.value_or(part.log().log_start_offset()));
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace gafka::http
