#include "gafka/broker/produce_path.h"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gafka/rules/partitioner.h"
#include "gafka/util/await_status.h"

namespace gafka::broker {
namespace asio = boost::asio;
namespace {

status not_enough_replicas(const core& c, const partition& p) {
    return {status_code::not_enough_replicas,
            p.topic() + "/" + std::to_string(p.id()) + " has " + std::to_string(p.isr_size()) +
                " in-sync replica(s); acks=all needs --min-insync " + std::to_string(c.min_insync())};
}

// Waits until the high watermark reaches `through` (every in-sync replica
// has the batch); an error when the ISR shrinks below --min-insync first.
asio::awaitable<status> wait_replicated(const core& c, partition& p, log::offset_t through) {
    auto deadline = std::chrono::steady_clock::now() + max_replication_wait;
    for (;;) {
        if (p.visible_end() >= through) co_return status{};
        if (!p.enough_insync()) co_return not_enough_replicas(c, p);
        if (!p.is_leader()) co_return status(status_code::not_leader, "no longer the leader");
        if (std::chrono::steady_clock::now() >= deadline)
            co_return status(status_code::timed_out, "the in-sync replicas did not confirm offset " +
                                                         std::to_string(through - 1) + " in time");
        std::vector<poll_target> target{{&p, through - 1}};
        co_await wait_for_any(target, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    }
}

// A cluster member whose lease may have run out (core::may_acknowledge)
// takes and acknowledges no acks=1 write: another broker may lead by now.
// acks=all needs no such fence: it waits for every replica recorded in
// sync, and the controller elects only among those, so whatever it
// acknowledges the next leader holds (docs/cluster.md, "Fencing").
bool fenced(const core& c, acks_mode acks) {
    return acks == acks_mode::leader && c.may_acknowledge && !c.may_acknowledge();
}

status roles_unknown_error() {
    return {status_code::not_leader,
            "this broker has not read its partitions' roles from etcd yet (is etcd reachable?): it takes no "
            "write until it has"};
}

// The topic found or created for a produce must have the partitions its records were sent to.
status check_partitions(const std::string& name, produce_topic& t) {
    if (static_cast<std::int32_t>(t.found->partitions.size()) < t.partitions) {
        t.found.reset();
        return status::not_found("topic '" + name + "' has fewer partitions than the records were sent to");
    }
    return {};
}

status fenced_error() {
    return {status_code::not_leader,
            "this broker's cluster session could not be renewed in time: it may no longer lead, and "
            "acknowledges nothing until it has renewed it and read the cluster again"};
}

}  // namespace

result<produce_topic> find_produce_topic(core& c, const std::string& name) {
    if (auto t = c.topics.find(name)) {
        auto n = static_cast<std::int32_t>(t->partitions.size());
        return produce_topic{std::move(t), n};
    }
    if (!c.auto_create_topics || c.topics.damaged(name)) return status::not_found("unknown topic '" + name + "'");
    return produce_topic{nullptr, c.default_partitions};
}

status create_produce_topic(core& c, const std::string& name, produce_topic& t) {
    if (t.found) return {};
    topic_config config;
    config.partitions = t.partitions;
    auto created = c.topics.create(name, config);
    t.found = created.ok() ? *created : c.topics.find(name);  // lost a race: someone else created it
    if (!t.found) return created.error();
    return check_partitions(name, t);
}

asio::awaitable<status> ensure_produce_topic(core& c, const std::string& name, produce_topic& t) {
    if (t.found || !c.create_in_cluster) co_return create_produce_topic(c, name, t);
    if (c.roles_read && !c.roles_read()) co_return roles_unknown_error();  // etcd not read yet: nothing is known
    topic_config config;
    config.partitions = t.partitions;
    // The callable holds one pointer: g++ 12 destroys a co_await expression's
    // temporaries twice, harmless only for trivial ones.
    const struct {
        core& c;
        const std::string& name;
        const topic_config& config;
    } ask{c, name, config};
    auto recorded = co_await util::await_status(
        [a = &ask](auto done) { a->c.create_in_cluster(a->name, a->config, 0, true, std::move(done)); });
    if (!recorded.ok() && recorded.code() != status_code::already_exists) co_return recorded;
    const auto deadline = std::chrono::steady_clock::now() + cluster_topic_wait;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto ready = c.ready_in_cluster(name);
        if (!ready.ok()) co_return ready.error();
        if (*ready) {
            t.found = std::move(*ready);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            co_return status::unavailable("topic '" + name + "' is recorded in the cluster, but its partitions have "
                                          "not taken their roles on this broker yet; try again");
        timer.expires_after(std::chrono::milliseconds(20));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return check_partitions(name, t);
}

result<std::vector<partition_id>> choose_partitions(core& c, const std::string& topic,
                                                    std::span<const record_target> records, std::int32_t partitions) {
    std::vector<partition_id> chosen(records.size());
    auto unkeyed = static_cast<partition_id>(c.round_robin++ % static_cast<std::uint64_t>(partitions));
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        if (r.partition) {
            if (*r.partition >= partitions)
                return status::invalid_argument("record " + std::to_string(i) + ": partition " +
                                                std::to_string(*r.partition) + " does not exist; '" + topic +
                                                "' has " + std::to_string(partitions));
            chosen[i] = *r.partition;
        } else if (r.key) {
            chosen[i] = rules::partition_for_key(*r.key, partitions);
        } else {
            chosen[i] = unkeyed;
        }
    }
    return chosen;
}

asio::awaitable<status> write_batches(core& c, std::span<batch_write> writes, acks_mode acks, on_failure policy) {
    status first;
    // Records a failure; true when the call ends with it.
    auto fail = [&](batch_write& w, status s) {
        w.error = std::move(s);
        if (first.ok()) first = w.error;
        return policy == on_failure::end_all;
    };
    if (c.roles_read && !c.roles_read()) {
        for (auto& w : writes)
            if (fail(w, roles_unknown_error())) co_return first;
        co_return first;
    }
    if (fenced(c, acks)) {
        for (auto& w : writes)
            if (fail(w, fenced_error())) co_return first;
        co_return first;
    }
    if (acks == acks_mode::all)  // refused before anything is written (on a follower, by the append: not_leader)
        for (auto& w : writes)
            if (w.target->is_leader() && !w.target->enough_insync() && fail(w, not_enough_replicas(c, *w.target)))
                co_return first;
    for (auto& w : writes) {
        if (!w.error.ok()) continue;
        auto appended = w.target->append(std::move(w.batch));
        if (!appended.ok()) {
            if (fail(w, appended.error())) co_return first;
            continue;
        }
        w.written = true;
        w.appended = *appended;
    }
    for (auto& w : writes) {
        if (!w.written) continue;
        auto through = w.appended.last_offset + 1;
        if (acks == acks_mode::none) {
            w.target->when_durable(through, [](status) {});
            continue;
        }
        // Bindings are copied into the capture: clang 14 cannot capture them.
        auto s = co_await util::await_status([p = w.target, through](auto done) { p->when_durable(through, std::move(done)); });
        if (!s.ok() && fail(w, std::move(s))) co_return first;
    }
    if (acks == acks_mode::all)
        for (auto& w : writes) {
            if (!w.written || !w.error.ok()) continue;
            if (auto s = co_await wait_replicated(c, *w.target, w.appended.last_offset + 1); !s.ok() && fail(w, std::move(s)))
                co_return first;
        }
    if (fenced(c, acks))  // the session ran out while the batches were written
        for (auto& w : writes)
            if (w.written && w.error.ok() && fail(w, fenced_error())) co_return first;
    co_return first;
}

}  // namespace gafka::broker
