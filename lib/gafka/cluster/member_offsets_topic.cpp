// The controller records the internal offsets topic (docs/cluster.md,
// "Group offsets") when etcd does not have it.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "gafka/rules/names.h"
#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;

void member::offsets_topic_took_office() {
    offsets_topic_after_ = clock::now() + config_.session_timeout;
    asio::co_spawn(
        *io_,
        [this]() -> asio::awaitable<void> {
            co_await sleep(config_.session_timeout);
            ensure_offsets_topic();
        },
        asio::detached);
    ensure_offsets_topic();
}

void member::ensure_offsets_topic() {
    const std::string topic(rules::offsets_topic);
    if (!controller_ || leaving_ || offsets_topic_recording_ || partitions_.count({topic, 0})) return;
    std::size_t live = 0;
    for (const auto& [id, b] : brokers_) live += b.live ? 1 : 0;
    const std::size_t want = config_.replication_factor > 0 ? static_cast<std::size_t>(config_.replication_factor) : 3;
    if (live == 0 || (live < want && clock::now() < offsets_topic_after_)) return;
    offsets_topic_recording_ = true;
    const auto rf = static_cast<std::int32_t>(std::min(want, live));
    asio::co_spawn(
        *io_,
        [this, topic, rf]() -> asio::awaitable<void> {
            const topic_record one_partition{1, rf};  // named: g++ 12 destroys a co_await's temporaries twice
            auto s = co_await record_topic(topic, one_partition);
            offsets_topic_recording_ = false;
            if (!s.ok() && s.code() != status_code::already_exists)
                util::logger("cluster")->warn("cannot record the offsets topic '{}' yet: {}", topic, s.message());
        },
        asio::detached);
}

}  // namespace gafka::cluster
