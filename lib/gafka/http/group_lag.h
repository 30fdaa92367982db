#pragma once
// A consumer group's lag per partition: what /api/v1/consumer-groups/{g}/status
// answers and /metrics exports (gafka_group_lag), computed in one place.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/topic_manager.h"

namespace gafka::http {

struct partition_lag {
    broker::topic_partition tp;
    std::optional<std::string> owner;       // the member it is assigned to
    std::optional<log::offset_t> committed;  // the group's committed offset
    log::offset_t log_end = 0;               // what consumers may read up to (high watermark)
    std::int64_t lag = 0;                    // log_end - (committed, else log start), never negative
};

// Every partition the group owns or has committed, in (topic, partition)
// order; partitions of deleted topics are left out.
std::vector<partition_lag> group_lags(const broker::topic_manager& topics, const broker::group_view& v);

}  // namespace gafka::http
