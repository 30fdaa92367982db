#include "gafka/broker/group_coordinator.h"

#include <algorithm>

#include "gafka/util/logging.h"

namespace gafka::broker {

const char* to_string(assignment_strategy s) { return s == assignment_strategy::range ? "range" : "roundrobin"; }

std::optional<assignment_strategy> parse_assignment_strategy(std::string_view name) {
    if (name == "roundrobin") return assignment_strategy::round_robin;
    if (name == "range") return assignment_strategy::range;
    return std::nullopt;
}

std::vector<std::string> deal(assignment_strategy s, std::int32_t partitions, const std::vector<std::string>& readers) {
    std::vector<std::string> owners;
    if (readers.empty() || partitions <= 0) return owners;
    auto n = static_cast<std::size_t>(partitions), m = readers.size();
    owners.reserve(n);
    if (s == assignment_strategy::round_robin) {
        for (std::size_t p = 0; p < n; ++p) owners.push_back(readers[p % m]);
        return owners;
    }
    for (std::size_t i = 0; i < m; ++i)  // member i: n / m partitions, one more while i < n % m
        owners.insert(owners.end(), n / m + (i < n % m ? 1 : 0), readers[i]);
    return owners;
}

group_coordinator::group_coordinator(partition_counter partitions, persister persist)
    : partitions_(std::move(partitions)), persist_(std::move(persist)) {}

void group_coordinator::rebalance_locked(group& g, std::int64_t now_ms) {
    auto before = std::move(g.owners);
    g.owners.clear();
    std::set<std::string> topics;
    for (const auto& [_, m] : g.members) topics.insert(m.topics.begin(), m.topics.end());
    for (const auto& topic : topics) {
        std::vector<std::string> readers;  // sorted: members is a std::map
        for (const auto& [id, m] : g.members)
            if (m.topics.count(topic)) readers.push_back(id);
        auto owners = deal(g.strategy, partitions_(topic), readers);
        for (std::size_t p = 0; p < owners.size(); ++p) g.owners[{topic, static_cast<std::int32_t>(p)}] = owners[p];
    }
    // Partitions leaving a live member that holds an uncommitted batch of them.
    for (const auto& [tp, old_owner] : before) {
        auto now_owner = g.owners.find(tp);
        auto m = g.members.find(old_owner);
        if (m == g.members.end() || !(m->second.fetching || m->second.delivered.count(tp))) continue;
        if (now_owner == g.owners.end() || now_owner->second != old_owner) g.revoking[tp] = {old_owner, now_ms};
    }
    ++g.generation;
    util::logger("groups")->info("rebalanced: generation {}, {} members, {} partitions", g.generation,
                                 g.members.size(), g.owners.size());
}

bool group_coordinator::is_fenced(const member& m, const std::string& session) {
    return !session.empty() && std::find(m.fenced.begin(), m.fenced.end(), session) != m.fenced.end();
}

status group_coordinator::fenced_status(const std::string& group_id, const std::string& consumer) {
    return status::fenced("consumer '" + consumer + "' of group '" + group_id +
                          "' was taken over by a newer process with the same consumer id");
}

void group_coordinator::take_over(const std::string& group_id, const std::string& consumer, member& m,
                                  const std::string& session) {
    if (session.empty() || session == m.session) return;
    if (!m.session.empty()) {
        util::logger("groups")->info("group '{}': member '{}' taken over by a new session; the old one is fenced",
                                     group_id, consumer);
        m.fenced.push_back(std::exchange(m.session, {}));
        if (m.fenced.size() > max_fenced) m.fenced.pop_front();
    }
    m.session = session;
}

std::vector<topic_partition> group_coordinator::assignment_of(const group& g, const std::string& consumer) const {
    std::vector<topic_partition> out;
    for (const auto& [tp, owner] : g.owners)
        if (owner == consumer) out.push_back(tp);
    return out;
}

result<membership> group_coordinator::heartbeat(const std::string& group_id, const std::string& consumer,
                                                const std::string& topic, std::int64_t session_timeout_ms,
                                                std::int64_t now_ms, bool fetching,
                                                std::optional<assignment_strategy> strategy,
                                                const std::string& session) {
    if (session_timeout_ms > 0 &&
        (session_timeout_ms < min_session_timeout_ms || session_timeout_ms > max_session_timeout_ms))
        return status::invalid_argument("session timeout must be between " + std::to_string(min_session_timeout_ms) +
                                        " and " + std::to_string(max_session_timeout_ms) + " ms");
    if (in_use_elsewhere_ && in_use_elsewhere_(group_id))
        return status::conflict("group '" + group_id +
                                "' has Kafka consumers; a group id is served by one protocol at a time");
    std::lock_guard lock(mu_);
    auto& g = groups_[group_id];
    if (auto it = g.members.find(consumer); it != g.members.end() && is_fenced(it->second, session))
        return fenced_status(group_id, consumer);
    bool joined = !g.members.count(consumer);
    bool alone = g.members.empty() || (g.members.size() == 1 && !joined);
    bool restrategy = false;
    if (g.members.empty()) {
        g.strategy = strategy.value_or(assignment_strategy::round_robin);
    } else if (strategy && *strategy != g.strategy) {
        if (!alone)
            return status::conflict("group '" + group_id + "' assigns by " + to_string(g.strategy) + ", not " +
                                    to_string(*strategy) + " (all members must use one strategy)");
        g.strategy = *strategy;
        restrategy = true;
    }
    auto& m = g.members[consumer];
    take_over(group_id, consumer, m, session);
    m.last_heartbeat_ms = now_ms;
    if (fetching) m.fetching = true;
    if (session_timeout_ms > 0) m.session_timeout_ms = session_timeout_ms;
    bool new_topic = !topic.empty() && m.topics.insert(topic).second;
    // A topic that grew partitions also needs a new deal.
    bool uncovered = false;
    for (const auto& t : m.topics)
        for (std::int32_t p = 0, n = partitions_(t); p < n && !uncovered; ++p) uncovered = !g.owners.count({t, p});
    membership out;
    if (joined || new_topic || uncovered || restrategy) {
        rebalance_locked(g, now_ms);
        out.rebalanced = true;
    }
    out.generation = g.generation;
    out.assignment = assignment_of(g, consumer);
    return out;
}

std::optional<generation_t> group_coordinator::touch(const std::string& group_id, const std::string& consumer,
                                                     std::int64_t now_ms, const std::string& session) {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return std::nullopt;
    auto m = g->second.members.find(consumer);
    if (m == g->second.members.end() || is_fenced(m->second, session)) return std::nullopt;
    m->second.last_heartbeat_ms = now_ms;
    return g->second.generation;
}

status group_coordinator::leave(const std::string& group_id, const std::string& consumer, std::int64_t now_ms,
                                const std::string& session) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    auto* members = it == groups_.end() ? nullptr : &it->second.members;
    if (!members || !members->count(consumer))
        return status::not_found("consumer '" + consumer + "' is not a member of group '" + group_id + "'");
    if (is_fenced(members->at(consumer), session)) return fenced_status(group_id, consumer);
    members->erase(consumer);
    std::erase_if(it->second.revoking, [&](const auto& r) { return r.second.from == consumer; });
    rebalance_locked(it->second, now_ms);
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
                auto gone = it->first;
                std::erase_if(g.revoking, [&](const auto& r) { return r.second.from == gone; });
                it = g.members.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
        if (removed > before) rebalance_locked(g, now_ms);
    }
    return removed;
}

status group_coordinator::check_owner(const std::string& group_id, const std::string& consumer,
                                      generation_t generation, const topic_partition& tp,
                                      const std::string& session) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end() || !it->second.members.count(consumer))
        return status(status_code::conflict, "consumer '" + consumer + "' is not a member of group '" + group_id + "'");
    const auto& g = it->second;
    if (is_fenced(g.members.at(consumer), session)) return fenced_status(group_id, consumer);
    if (generation >= 0 && generation != g.generation)
        return status(status_code::conflict, "stale generation " + std::to_string(generation) + "; the group is at " +
                                                 std::to_string(g.generation));
    auto owner = g.owners.find(tp);
    auto handing = g.revoking.find(tp);
    if (handing != g.revoking.end() && handing->second.from == consumer) return {};  // may still commit it
    if (owner == g.owners.end() || owner->second != consumer)
        return status(status_code::conflict, tp.topic + "/" + std::to_string(tp.partition) + " is owned by " +
                                                 (owner == g.owners.end() ? std::string("nobody")
                                                                          : "'" + owner->second + "'"));
    return {};
}

status group_coordinator::commit(const std::string& group_id, const topic_partition& tp, log::offset_t offset) {
    if (offset < 0) return status::invalid_argument("offset must be >= 0");
    // Under the lock: a remove_topic cannot come between the record and
    // the map, nor between the check that the topic exists and the commit.
    std::lock_guard lock(mu_);
    if (tp.partition < 0 || tp.partition >= partitions_(tp.topic))
        return status::not_found("no partition " + tp.topic + "/" + std::to_string(tp.partition));
    if (auto s = persist_ ? persist_(group_id, tp, offset) : status{}; !s.ok()) return s;
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

void group_coordinator::clear() {
    std::lock_guard lock(mu_);
    groups_.clear();
}

status group_coordinator::remove_group(const std::string& group_id) {
    std::map<topic_partition, log::offset_t> committed;
    {
        std::lock_guard lock(mu_);
        auto it = groups_.find(group_id);
        if (it == groups_.end() || (it->second.members.empty() && it->second.committed.empty()))
            return status::not_found("unknown group '" + group_id + "'");  // as describe() sees it
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

status group_coordinator::remove_topic(const std::string& topic, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    ++incarnations_[topic];
    auto of_topic = [&](const auto& entry) { return entry.first.topic == topic; };
    status first;
    for (auto& [id, g] : groups_) {
        for (const auto& [tp, _] : g.committed)
            if (tp.topic == topic && persist_)
                if (auto s = persist_(id, tp, -1); !s.ok() && first.ok()) first = s;
        std::erase_if(g.committed, of_topic);
        std::erase_if(g.revoking, of_topic);
        // Dropped before the rebalance, so that it makes no hand-overs of them.
        bool owned = std::erase_if(g.owners, of_topic) > 0;
        bool read = false;
        for (auto& [_, m] : g.members) {
            std::erase_if(m.delivered, of_topic);
            read = m.topics.erase(topic) > 0 || read;
        }
        if (owned || read) rebalance_locked(g, now_ms);
    }
    return first;
}

std::uint64_t group_coordinator::topic_incarnation(const std::string& topic) const {
    std::lock_guard lock(mu_);
    auto it = incarnations_.find(topic);
    return it == incarnations_.end() ? 0 : it->second;
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
    group_view v{id, g.generation, g.strategy, {}, g.committed};
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

status group_coordinator::remember_delivered(const std::string& group_id, const std::string& consumer,
                                             std::map<topic_partition, log::offset_t> next_offsets,
                                             const std::string& session, std::uint64_t incarnation) {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return {};
    if (!next_offsets.empty()) {
        auto removed = incarnations_.find(next_offsets.begin()->first.topic);
        if ((removed == incarnations_.end() ? 0 : removed->second) != incarnation) next_offsets.clear();
    }
    auto m = g->second.members.find(consumer);
    if (m == g->second.members.end()) return {};
    if (is_fenced(m->second, session)) return fenced_status(group_id, consumer);
    m->second.delivered = std::move(next_offsets);
    m->second.delivered_session = session;
    m->second.fetching = false;
    return {};
}

status group_coordinator::commit_delivered(const std::string& group_id, const std::string& consumer,
                                           const std::string& session) {
    std::map<topic_partition, log::offset_t> delivered;
    {
        std::lock_guard lock(mu_);
        auto g = groups_.find(group_id);
        if (g == groups_.end()) return {};
        auto m = g->second.members.find(consumer);
        if (m == g->second.members.end()) return {};
        if (is_fenced(m->second, session)) return fenced_status(group_id, consumer);
        delivered = std::exchange(m->second.delivered, {});
        if (m->second.delivered_session != session) {
            if (!delivered.empty())
                util::logger("groups")->info("group '{}': member '{}' came back as a new session; its last batch "
                                             "is not committed and will be delivered again",
                                             group_id, consumer);
            delivered.clear();
        }
    }
    status first;
    for (const auto& [tp, next] : delivered)
        if (check_owner(group_id, consumer, -1, tp).ok())
            if (auto s = commit(group_id, tp, next); !s.ok() && first.ok()) first = s;
    std::lock_guard lock(mu_);
    if (auto g = groups_.find(group_id); g != groups_.end())
        std::erase_if(g->second.revoking, [&](const auto& r) { return r.second.from == consumer; });
    return first;
}

bool group_coordinator::revoking(const std::string& group_id, const topic_partition& tp, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto g = groups_.find(group_id);
    if (g == groups_.end()) return false;
    auto r = g->second.revoking.find(tp);
    if (r == g->second.revoking.end()) return false;
    auto m = g->second.members.find(r->second.from);
    auto limit = m == g->second.members.end() ? 0 : m->second.session_timeout_ms;
    if (now_ms - r->second.since_ms > limit) {  // the old owner never came back for it
        g->second.revoking.erase(r);
        return false;
    }
    return true;
}

}  // namespace gafka::broker
