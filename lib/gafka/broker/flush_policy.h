#pragma once
// --flush=always|interval:MS|never: when the broker fsyncs, and so when a
// produce is acknowledged and a record becomes visible to consumers.
#include <chrono>
#include <string>
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::broker {

struct flush_policy {
    enum class mode { always, interval, never };
    mode kind = mode::always;
    std::chrono::milliseconds interval{0};

    // always: a produce is answered after its batch is fsynced (group commit),
    // and consumers see only fsynced records. Otherwise records are visible
    // and acknowledged once written to the page cache.
    bool sync_before_ack() const { return kind == mode::always; }
    std::string to_string() const;
};

result<flush_policy> parse_flush_policy(std::string_view text);

}  // namespace gafka::broker
