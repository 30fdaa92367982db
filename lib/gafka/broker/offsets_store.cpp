#include "gafka/broker/offsets_store.h"

#include <charconv>
#include <chrono>

#include "gafka/broker/long_poll.h"
#include "gafka/broker/partition.h"
#include "gafka/broker/produce_path.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/log/decoded_batch.h"
#include "gafka/rules/names.h"
#include "gafka/util/await_status.h"

namespace gafka::broker {
namespace {

std::optional<std::pair<std::string, topic_partition>> split_key(std::string_view key) {
    auto a = key.find('\n');
    auto b = a == std::string_view::npos ? a : key.find('\n', a + 1);
    if (b == std::string_view::npos) return std::nullopt;
    std::int32_t p = 0;
    auto part = key.substr(b + 1);
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), p);
    if (ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    return std::pair{std::string(key.substr(0, a)), topic_partition{std::string(key.substr(a + 1, b - a - 1)), p}};
}

using visitor = offsets_store::visitor;

status replay_log(const log::partition_log& log, const visitor& visit) {
    auto next = log.log_start_offset();
    for (;;) {
        auto r = log.read(next, 1 << 20);
        if (!r.ok()) return r.error();
        if (r->data.empty()) return {};
        std::string_view data(r->data);
        while (!data.empty()) {
            auto h = log::decode_header(data.data());
            log::decoded_batch records(data.substr(0, h.length));
            if (!records.error().ok()) return records.error();
            log::record_view rv;
            while (records.next(rv)) {
                if (!rv.key || !rv.value) continue;
                auto k = split_key(*rv.key);
                log::offset_t off = 0;
                auto [ptr, ec] = std::from_chars(rv.value->data(), rv.value->data() + rv.value->size(), off);
                if (k && ec == std::errc()) visit(k->first, k->second, off);
            }
            data.remove_prefix(h.length);
        }
        next = r->next_offset;
    }
}

std::string encode_commit(const std::string& group, const topic_partition& tp, log::offset_t offset) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    log::batch_builder b;
    b.add(now, group + "\n" + tp.topic + "\n" + std::to_string(tp.partition), std::to_string(offset));
    return b.finish();
}

status not_led(const std::string& why) {
    return status(status_code::not_leader, "this broker does not lead " + std::string(rules::offsets_topic) +
                                               "/0" + why);
}

}  // namespace

result<std::unique_ptr<offsets_store>> offsets_store::open(const std::filesystem::path& data_dir,
                                                           log::log_options options) {
    options.segment_bytes = 16 << 20;
    auto log = log::partition_log::open(data_dir / "groups" / "offsets", std::move(options));
    if (!log.ok()) return log.error();
    return std::unique_ptr<offsets_store>(new offsets_store(std::move(*log)));
}

std::unique_ptr<offsets_store> offsets_store::in_topic(topic_manager& topics) {
    return std::unique_ptr<offsets_store>(new offsets_store(topics));
}

std::pair<std::shared_ptr<const void>, partition*> offsets_store::offsets_partition() const {
    auto t = topics_->find(std::string(rules::offsets_topic));
    if (!t || t->partitions.empty()) return {nullptr, nullptr};
    auto* p = t->partitions[0].get();
    return {std::move(t), p};
}

status offsets_store::replay(const visitor& visit) const {
    if (log_) return replay_log(*log_, visit);
    auto [keep, p] = offsets_partition();
    return p ? replay_log(p->log(), visit) : status{};
}

result<log::offset_t> offsets_store::append(const std::string& group, const topic_partition& tp,
                                            log::offset_t offset) {
    auto batch = encode_commit(group, tp, offset);
    if (log_) {
        auto r = log_->append(std::move(batch));
        if (!r.ok()) return r.error();
        return r->last_offset + 1;
    }
    auto [keep, p] = offsets_partition();
    if (!p || !p->is_leader()) return not_led("");
    if (!p->enough_insync()) return status(status_code::not_enough_replicas, "too few in-sync replicas");
    auto r = p->append(std::move(batch));
    if (!r.ok()) return r.error();
    // Under --flush=always followers (and the high watermark) only see a
    // record once it is fsynced: start that now, not waited for, or an
    // implicit commit (a group fetch's) would reach the followers only
    // when an explicit one syncs the log, and a new coordinator would miss it.
    p->when_durable(r->last_offset + 1, [](status) {});
    return r->last_offset + 1;
}

void offsets_store::sync_async(log::offset_t through, std::function<void(status)> done) {
    if (log_) return log_->sync_async(through, std::move(done));
    auto [keep, p] = offsets_partition();
    if (!p) return done({});
    p->when_durable(through, std::move(done));  // replicated: wait_committed waits for the followers too
}

boost::asio::awaitable<status> offsets_store::wait_committed(log::offset_t through) {
    if (log_) co_return co_await util::await_status([&](auto done) { log_->sync_async(through, std::move(done)); });
    auto [keep, p] = offsets_partition();
    if (!p) co_return not_led("");
    // The binding is copied into the capture: clang 14 cannot capture it.
    if (auto s = co_await util::await_status([p = p, through](auto done) { p->when_durable(through, std::move(done)); });
        !s.ok())
        co_return s;
    // As an acks=all produce waits (produce_path.cpp): until the high
    // watermark passes the commit, on this executor.
    auto deadline = std::chrono::steady_clock::now() + max_replication_wait;
    for (;;) {
        if (p->visible_end() >= through) co_return status{};
        if (!p->is_leader()) co_return not_led(" any more");
        if (!p->enough_insync()) co_return status(status_code::not_enough_replicas, "too few in-sync replicas");
        if (std::chrono::steady_clock::now() >= deadline)
            co_return status(status_code::timed_out, "the in-sync replicas did not confirm the commit in time");
        std::vector<poll_target> target{{p, through - 1}};
        co_await wait_for_any(target, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    }
}

status offsets_store::sync() {
    if (log_) return log_->sync();
    auto [keep, p] = offsets_partition();
    return p ? p->log().sync() : status{};
}

log::offset_t offsets_store::log_end() const {
    if (log_) return log_->log_end_offset();
    auto [keep, p] = offsets_partition();
    return p ? p->log().log_end_offset() : 0;  // appended, durable or not (wait_committed waits for both)
}

status offsets_store::close() { return log_ ? log_->close() : status{}; }

status offsets_store::take_over(group_coordinator& groups) {
    state_ = coordinator_state::loading;
    groups.clear();
    auto s = replay([&](const std::string& g, const topic_partition& tp, log::offset_t o) { groups.restore(g, tp, o); });
    if (s.ok()) state_ = coordinator_state::serving;
    return s;
}

void offsets_store::hand_off(group_coordinator& groups) {
    state_ = coordinator_state::not_coordinator;
    groups.clear();
}

}  // namespace gafka::broker
