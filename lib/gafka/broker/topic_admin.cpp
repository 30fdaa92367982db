#include "gafka/broker/topic_admin.h"

#include "gafka/util/await_status.h"
#include "gafka/util/clock.h"

namespace gafka::broker {

boost::asio::awaitable<status> delete_topic(topic_manager& topics, group_coordinator& groups, offsets_store& offsets,
                                            const std::string& name) {
    if (!topics.find(name)) co_return status::not_found("unknown topic '" + name + "'");
    if (auto s = topics.remove(name); !s.ok()) co_return s;
    auto dropped = groups.remove_topic(name, util::steady_clock_ms());
    if (dropped.ok()) {
        auto through = offsets.log_end();
        dropped = co_await util::await_status([&](auto done) { offsets.sync_async(through, std::move(done)); });
    }
    if (!dropped.ok())
        co_return status(dropped.code(),
                         "topic '" + name + "' was deleted, but not the group offsets of it: " + dropped.message());
    co_return status{};
}

}  // namespace gafka::broker
