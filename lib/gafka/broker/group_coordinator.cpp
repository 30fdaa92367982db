#include "gafka/broker/group_coordinator.h"

#include <algorithm>

#include "gafka/util/logging.h"

namespace gafka::broker {

group_coordinator::group_coordinator(partition_counter partitions, persister persist)
    : partitions_(std::move(partitions)), persist_(std::move(persist)) {}

void group_coordinator::rebalance_locked(group& g) {
    g.owners.clear();
    std::set<std::string> topics;
    for (const auto& [_, m] : g.members) topics.insert(m.topics.begin(), m.topics.end());
    for (const auto& topic : topics) {
        std::vector<std::string> readers;  // sorted: members is a std::map
        for (const auto& [id, m] : g.members)
            if (m.topics.count(topic)) readers.push_back(id);
        auto n = partitions_(topic);
        for (std::int32_t p = 0; p < n && !readers.empty(); ++p)
            g.owners[{topic, p}] = readers[static_cast<std::size_t>(p) % readers.size()];
    }
    ++g.generation;
    util::logger("groups")->info("rebalanced: generation {}, {} members, {} partitions", g.generation,
                                 g.members.size(), g.owners.size());
}

std::vector<topic_partition> group_coordinator::assignment_of(const group& g, const std::string& consumer) const {
    std::vector<topic_partition> out;
    for (const auto& [tp, owner] : g.owners)
        if (owner == consumer) out.push_back(tp);
    return out;
}

result<membership> group_coordinator::heartbeat(const std::string& group_id, const std::string& consumer,
                                                const std::string& topic, std::int64_t session_timeout_ms,
                                                std::int64_t now_ms) {
    if (session_timeout_ms > 0 &&
        (session_timeout_ms < min_session_timeout_ms || session_timeout_ms > max_session_timeout_ms))
        return status::invalid_argument("session timeout must be between " + std::to_string(min_session_timeout_ms) +
                                        " and " + std::to_string(max_session_timeout_ms) + " ms");
    std::lock_guard lock(mu_);
    auto& g = groups_[group_id];
    bool joined = !g.members.count(consumer);
    auto& m = g.members[consumer];
    m.last_heartbeat_ms = now_ms;
    if (session_timeout_ms > 0) m.session_timeout_ms = session_timeout_ms;
    bool new_topic = !topic.empty() && m.topics.insert(topic).second;
    // A topic that grew partitions also needs a new deal.
    bool uncovered = false;
    for (const auto& t : m.topics)
        for (std::int32_t p = 0, n = partitions_(t); p < n && !uncovered; ++p) uncovered = !g.owners.count({t, p});
    membership out;
    if (joined || new_topic || uncovered) {
        rebalance_locked(g);
        out.rebalanced = true;
    }
    out.generation = g.generation;
    out.assignment = assignment_of(g, consumer);
    return out;
}

status group_coordinator::leave(const std::string& group_id, const std::string& consumer) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end() || !it->second.members.erase(consumer))
        return status::not_found("consumer '" + consumer + "' is not a member of group '" + group_id + "'");
    rebalance_locked(it->second);
    return {};
}

int group_coordinator::expire(std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    int removed = 0;
    for (auto& [id, g] : groups_) {
        int before = removed;
        for (auto it = g.members.begin(); it != g.members.end();) {
            if (now_ms - it->second.last_heartbeat_ms > it->second.session_timeout_ms) {
                util::logger("groups")->info("group '{}': member '{}' missed its session, removing", id, it->first);
                it = g.members.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
        if (removed > before) rebalance_locked(g);
    }
    return removed;
}

status group_coordinator::check_owner(const std::string& group_id, const std::string& consumer,
                                      generation_t generation, const topic_partition& tp) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end() || !it->second.members.count(consumer))
        return status(status_code::conflict, "consumer '" + consumer + "' is not a member of group '" + group_id + "'");
    const auto& g = it->second;
    if (generation >= 0 && generation != g.generation)
        return status(status_code::conflict, "stale generation " + std::to_string(generation) + "; the group is at " +
                                                 std::to_string(g.generation));
    auto owner = g.owners.find(tp);
    if (owner == g.owners.end() || owner->second != consumer)
        return status(status_code::conflict, tp.topic + "/" + std::to_string(tp.partition) + " is owned by " +
                                                 (owner == g.owners.end() ? std::string("nobody")
                                                                          : "'" + owner->second + "'"));
    return {};
}

status group_coordinator::commit(const std::string& group_id, const topic_partition& tp, log::offset_t offset) {
    if (offset < 0) return status::invalid_argument("offset must be >= 0");
    if (auto s = persist_ ? persist_(group_id, tp, offset) : status{}; !s.ok()) return s;
    std::lock_guard lock(mu_);
    groups_[group_id].committed[tp] = offset;
    return {};
}

void group_coordinator::restore(const std::string& group_id, const topic_partition& tp, log::offset_t offset) {
    std::lock_guard lock(mu_);
    if (offset < 0) groups_[group_id].committed.erase(tp);  // a tombstone from delete-group
    else groups_[group_id].committed[tp] = offset;
}

status group_coordinator::reset(const std::string& group_id, const std::map<topic_partition, log::offset_t>& offsets) {
    {
        std::lock_guard lock(mu_);
        auto it = groups_.find(group_id);
        if (it != groups_.end() && !it->second.members.empty())
            return status(status_code::conflict, "group '" + group_id + "' has active members; stop them first");
    }
    for (const auto& [tp, off] : offsets)
        if (auto s = commit(group_id, tp, off); !s.ok()) return s;
    return {};
}

status group_coordinator::remove_group(const std::string& group_id) {
    std::map<topic_partition, log::offset_t> committed;
    {
        std::lock_guard lock(mu_);
        auto it = groups_.find(group_id);
        if (it == groups_.end()) return status::not_found("unknown group '" + group_id + "'");
        if (!it->second.members.empty())
            return status(status_code::conflict, "group '" + group_id + "' has active members; stop them first");
        committed = it->second.committed;
    }
    for (const auto& [tp, _] : committed)
        if (persist_)
            if (auto s = persist_(group_id, tp, -1); !s.ok()) return s;
    std::lock_guard lock(mu_);
    groups_.erase(group_id);
    return {};
}

std::optional<log::offset_t> group_coordinator::committed(const std::string& group_id,
                                                          const topic_partition& tp) const {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return std::nullopt;
    auto c = g->second.committed.find(tp);
    if (c == g->second.committed.end()) return std::nullopt;
    return c->second;
}

group_view group_coordinator::view_locked(const std::string& id, const group& g) const {
    group_view v{id, g.generation, {}, g.committed};
    for (const auto& [cid, m] : g.members)
        v.members.push_back({cid, m.last_heartbeat_ms, m.session_timeout_ms, assignment_of(g, cid)});
    return v;
}

std::optional<group_view> group_coordinator::describe(const std::string& group_id) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end() || (it->second.members.empty() && it->second.committed.empty())) return std::nullopt;
    return view_locked(it->first, it->second);
}

std::vector<group_view> group_coordinator::list() const {
    std::lock_guard lock(mu_);
    std::vector<group_view> out;
    for (const auto& [id, g] : groups_)
        if (!g.members.empty() || !g.committed.empty()) out.push_back(view_locked(id, g));
    return out;
}

void group_coordinator::remember_delivered(const std::string& group_id, const std::string& consumer,
                                           std::map<topic_partition, log::offset_t> next_offsets) {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return;
    auto m = g->second.members.find(consumer);
    if (m != g->second.members.end()) m->second.delivered = std::move(next_offsets);
}

std::map<topic_partition, log::offset_t> group_coordinator::take_delivered(const std::string& group_id,
                                                                           const std::string& consumer) {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return {};
    auto m = g->second.members.find(consumer);
    if (m == g->second.members.end()) return {};
    return std::exchange(m->second.delivered, {});
}

}  // namespace gafka::broker
