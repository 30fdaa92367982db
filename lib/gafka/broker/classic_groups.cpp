#include "gafka/broker/classic_groups.h"

#include <algorithm>
#include <random>

#include "gafka/util/logging.h"

namespace gafka::broker {

const char* to_string(group_error e) {
    switch (e) {
        case group_error::none: return "none";
        case group_error::unknown_member: return "unknown member id";
        case group_error::illegal_generation: return "illegal generation";
        case group_error::rebalance_in_progress: return "rebalance in progress";
        case group_error::member_id_required: return "member id required";
        case group_error::inconsistent_protocol: return "inconsistent group protocol";
        case group_error::invalid_session_timeout: return "invalid session timeout";
        case group_error::fenced_instance_id: return "fenced instance id";
    }
    return "unknown";
}

namespace {

join_answer join_error(group_error e, const std::string& member_id) {
    join_answer a;
    a.error = e;
    a.member_id = member_id;
    return a;
}

}  // namespace

classic_groups::classic_groups(std::function<bool(const std::string&)> in_use_elsewhere)
    : in_use_elsewhere_(std::move(in_use_elsewhere)) {}

std::string classic_groups::new_member_id(const std::string& client_id) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char tail[17];
    std::snprintf(tail, sizeof tail, "%016llx", static_cast<unsigned long long>(rng()));
    return (client_id.empty() ? std::string("member") : client_id) + "-" + std::to_string(++next_member_) + "-" + tail;
}

bool classic_groups::supports(const member& m, const std::string& protocol) {
    return std::any_of(m.protocols.begin(), m.protocols.end(),
                       [&](const group_protocol& p) { return p.name == protocol; });
}

void classic_groups::start_rebalance_locked(group& g, std::int64_t now_ms) {
    g.st = state::preparing;
    std::int64_t longest = 0;
    for (auto& [_, m] : g.members) {
        m.assignment.reset();
        longest = std::max(longest, m.rebalance_timeout_ms);
    }
    g.rebalance_deadline_ms = now_ms + longest;
}

void classic_groups::erase_member_locked(group& g, const std::string& member_id) {
    if (auto m = g.members.find(member_id); m != g.members.end()) {
        if (auto i = g.instances.find(m->second.instance_id); i != g.instances.end() && i->second == member_id)
            g.instances.erase(i);
        g.members.erase(m);
    }
    std::erase(g.join_order, member_id);
}

bool classic_groups::fenced_locked(const group* g, const std::string& member_id, const std::string& instance_id) {
    if (g == nullptr || instance_id.empty()) return false;
    auto i = g->instances.find(instance_id);
    return i != g->instances.end() && i->second != member_id;
}

void classic_groups::remove_member_locked(group& g, const std::string& member_id, std::int64_t now_ms) {
    erase_member_locked(g, member_id);
    if (g.members.empty()) {
        g.st = state::empty;
        g.leader.clear();
        g.protocol_name.clear();
        g.protocol_type.clear();
        return;
    }
    start_rebalance_locked(g, now_ms);
}

void classic_groups::expire_locked(group& g, std::int64_t now_ms) {
    for (auto it = g.pending_ids.begin(); it != g.pending_ids.end();)
        it = it->second < now_ms ? g.pending_ids.erase(it) : std::next(it);
    std::vector<std::string> gone;
    for (const auto& [id, m] : g.members)
        if (now_ms - m.last_heard_ms > m.session_timeout_ms) gone.push_back(id);
    for (const auto& id : gone) {
        util::logger("groups")->info("member {} missed its session timeout", id);
        remove_member_locked(g, id, now_ms);
    }
}

void classic_groups::try_complete_locked(const std::string& id, group& g, std::int64_t now_ms) {
    if (g.st != state::preparing) return;
    bool all = std::all_of(g.members.begin(), g.members.end(), [](const auto& kv) { return kv.second.joined; });
    if (!all && now_ms < g.rebalance_deadline_ms) return;
    std::vector<std::string> late;
    for (const auto& [mid, m] : g.members)
        if (!m.joined) late.push_back(mid);
    for (const auto& mid : late) erase_member_locked(g, mid);
    if (g.members.empty()) {
        g.st = state::empty;
        g.leader.clear();
        return;
    }
    if (!g.members.count(g.leader)) g.leader = g.join_order.front();
    // The leader's first choice that every member supports (the join checked one exists).
    g.protocol_name.clear();
    for (const auto& p : g.members.at(g.leader).protocols) {
        bool everyone = std::all_of(g.members.begin(), g.members.end(),
                                    [&](const auto& kv) { return supports(kv.second, p.name); });
        if (everyone) {
            g.protocol_name = p.name;
            break;
        }
    }
    ++g.generation;
    g.st = state::completing;
    for (auto& [mid, m] : g.members) {
        m.joined = false;
        m.answer = answer_locked(g, mid);
    }
    util::logger("groups")->info("group {}: generation {}, {} member(s), protocol {}, leader {}", id, g.generation,
                                 g.members.size(), g.protocol_name, g.leader);
}

join_answer classic_groups::answer_locked(const group& g, const std::string& member_id) const {
    join_answer a;
    a.generation = g.generation;
    a.protocol_name = g.protocol_name;
    a.leader = g.leader;
    a.member_id = member_id;
    if (member_id == g.leader)
        for (const auto& mid : g.join_order) {
            const auto& m = g.members.at(mid);
            auto p = std::find_if(m.protocols.begin(), m.protocols.end(),
                                  [&](const group_protocol& gp) { return gp.name == g.protocol_name; });
            a.members.emplace_back(mid, p == m.protocols.end() ? std::string() : p->metadata);
            if (!m.instance_id.empty()) a.instances[mid] = m.instance_id;
        }
    return a;
}

std::optional<join_answer> classic_groups::join(join_request req, std::string& member_id, std::int64_t now_ms) {
    auto refuse = [&](group_error e) {
        join_answer a;
        a.error = e;
        a.member_id = req.member_id;
        return a;
    };
    if (req.session_timeout_ms < min_session_timeout_ms || req.session_timeout_ms > max_session_timeout_ms)
        return refuse(group_error::invalid_session_timeout);
    if (req.protocols.empty() || req.protocol_type.empty()) return refuse(group_error::inconsistent_protocol);
    if (in_use_elsewhere_ && in_use_elsewhere_(req.group)) return refuse(group_error::inconsistent_protocol);
    std::lock_guard lock(mu_);
    auto& g = groups_[req.group];
    expire_locked(g, now_ms);
    const auto& instance = req.group_instance_id;
    std::string replaced;  // the member id a static member's instance id has, when it joins with none
    if (auto i = g.instances.find(instance); !instance.empty() && i != g.instances.end()) {
        if (!req.member_id.empty() && req.member_id != i->second) return refuse(group_error::fenced_instance_id);
        if (req.member_id.empty()) replaced = i->second;
    }
    if (!g.members.empty()) {
        if (req.protocol_type != g.protocol_type) return refuse(group_error::inconsistent_protocol);
        // Some protocol every other member supports too.
        bool common = std::any_of(req.protocols.begin(), req.protocols.end(), [&](const group_protocol& p) {
            return std::all_of(g.members.begin(), g.members.end(), [&](const auto& kv) {
                return kv.first == req.member_id || kv.first == replaced || supports(kv.second, p.name);
            });
        });
        if (!common) return refuse(group_error::inconsistent_protocol);
    }
    if (!replaced.empty()) return replace_static_locked(req.group, g, req, member_id, now_ms);
    if (req.member_id.empty()) {
        req.member_id = new_member_id(req.client_id);
        if (req.require_known_member_id && instance.empty()) {  // a static member gets its id at once
            g.pending_ids[req.member_id] = now_ms + req.session_timeout_ms;
            auto a = refuse(group_error::member_id_required);
            return a;
        }
    } else if (!g.members.count(req.member_id) && !g.pending_ids.erase(req.member_id)) {
        return refuse(group_error::unknown_member);
    }
    member_id = req.member_id;
    if (g.members.empty()) g.protocol_type = req.protocol_type;
    bool known = g.members.count(member_id) > 0;
    auto& m = g.members[member_id];
    take_join(m, req, now_ms);
    if (!instance.empty()) {
        m.instance_id = instance;
        g.instances[instance] = member_id;
    }
    if (!known) g.join_order.push_back(member_id);
    join_rebalance_locked(req.group, g, m, now_ms);
    return std::nullopt;
}

void classic_groups::take_join(member& m, join_request& req, std::int64_t now_ms) {
    m.client_id = req.client_id;
    m.client_host = req.client_host;
    m.session_timeout_ms = req.session_timeout_ms;
    m.rebalance_timeout_ms = std::max(req.rebalance_timeout_ms, req.session_timeout_ms);
    m.protocols = std::move(req.protocols);
    m.last_heard_ms = now_ms;
    m.answer.reset();
}

void classic_groups::join_rebalance_locked(const std::string& group_id, group& g, member& m, std::int64_t now_ms) {
    if (g.st != state::preparing) start_rebalance_locked(g, now_ms);
    m.joined = true;
    try_complete_locked(group_id, g, now_ms);
}

std::optional<join_answer> classic_groups::replace_static_locked(const std::string& group_id, group& g,
                                                                 join_request& req, std::string& member_id,
                                                                 std::int64_t now_ms) {
    const auto old_id = g.instances.at(req.group_instance_id);
    const auto new_id = new_member_id(req.client_id);
    auto node = g.members.extract(old_id);
    node.key() = new_id;
    auto& m = g.members.insert(std::move(node)).position->second;
    std::replace(g.join_order.begin(), g.join_order.end(), old_id, new_id);
    const auto old_leader = g.leader;
    if (g.leader == old_id) g.leader = new_id;
    g.instances[req.group_instance_id] = new_id;
    take_join(m, req, now_ms);
    member_id = new_id;
    util::logger("groups")->info("group {}: static member {} joined again as {}; {} is fenced", group_id,
                                 req.group_instance_id, new_id, old_id);
    if (g.st == state::stable && supports(m, g.protocol_name)) {
        // No rebalance: the newcomer syncs to the old member's assignment.
        // The old leader id, as Kafka answers, so that a replaced leader
        // does not assign again in a stable group.
        join_answer a;
        a.generation = g.generation;
        a.protocol_name = g.protocol_name;
        a.leader = old_leader;
        a.member_id = new_id;
        return a;
    }
    join_rebalance_locked(group_id, g, m, now_ms);
    return std::nullopt;
}

std::optional<join_answer> classic_groups::join_done(const std::string& group_id, const std::string& member_id,
                                                     std::int64_t now_ms, const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return join_error(group_error::unknown_member, member_id);
    auto& g = it->second;
    if (auto m = g.members.find(member_id); m != g.members.end()) m->second.last_heard_ms = now_ms;
    expire_locked(g, now_ms);
    try_complete_locked(group_id, g, now_ms);
    if (fenced_locked(&g, member_id, instance_id))
        return join_error(group_error::fenced_instance_id, member_id);
    auto m = g.members.find(member_id);
    if (m == g.members.end()) return join_error(group_error::unknown_member, member_id);
    if (auto a = std::move(m->second.answer)) {
        m->second.answer.reset();
        return a;
    }
    if (g.st == state::preparing) return std::nullopt;
    return answer_locked(g, member_id);
}

std::pair<classic_groups::group*, classic_groups::member*> classic_groups::heard_from_locked(
    const std::string& group_id, const std::string& member_id, std::int64_t now_ms) {
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return {nullptr, nullptr};
    auto& g = it->second;
    expire_locked(g, now_ms);
    auto m = g.members.find(member_id);
    if (m == g.members.end()) return {&g, nullptr};
    m->second.last_heard_ms = now_ms;
    return {&g, &m->second};
}

group_error classic_groups::sync(const std::string& group_id, const std::string& member_id, std::int32_t generation,
                                 const std::map<std::string, std::string>& assignments, std::int64_t now_ms,
                                 const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto [gp, m] = heard_from_locked(group_id, member_id, now_ms);
    if (fenced_locked(gp, member_id, instance_id)) return group_error::fenced_instance_id;
    if (!m) return group_error::unknown_member;
    auto& g = *gp;
    if (generation != g.generation) return group_error::illegal_generation;
    if (g.st == state::preparing) return group_error::rebalance_in_progress;
    if (g.st == state::completing && member_id == g.leader) {
        for (auto& [mid, mm] : g.members) {
            auto a = assignments.find(mid);
            mm.assignment = a == assignments.end() ? std::string() : a->second;
        }
        g.st = state::stable;
    }
    return group_error::none;
}

std::optional<sync_answer> classic_groups::sync_done(const std::string& group_id, const std::string& member_id,
                                                     std::int32_t generation, std::int64_t now_ms,
                                                     const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return sync_answer{group_error::unknown_member, {}};
    auto& g = it->second;
    if (auto m = g.members.find(member_id); m != g.members.end()) m->second.last_heard_ms = now_ms;
    expire_locked(g, now_ms);
    if (fenced_locked(&g, member_id, instance_id)) return sync_answer{group_error::fenced_instance_id, {}};
    auto m = g.members.find(member_id);
    if (m == g.members.end()) return sync_answer{group_error::unknown_member, {}};
    if (g.st == state::preparing) return sync_answer{group_error::rebalance_in_progress, {}};
    if (generation != g.generation) return sync_answer{group_error::illegal_generation, {}};
    if (g.st != state::stable) return std::nullopt;
    return sync_answer{group_error::none, m->second.assignment.value_or(std::string())};
}

group_error classic_groups::heartbeat(const std::string& group_id, const std::string& member_id,
                                      std::int32_t generation, std::int64_t now_ms, const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto [gp, m] = heard_from_locked(group_id, member_id, now_ms);
    if (fenced_locked(gp, member_id, instance_id)) return group_error::fenced_instance_id;
    if (!m) return group_error::unknown_member;
    auto& g = *gp;
    if (g.st == state::preparing) return group_error::rebalance_in_progress;
    if (generation != g.generation) return group_error::illegal_generation;
    return group_error::none;
}

group_error classic_groups::leave(const std::string& group_id, const std::string& member_id, std::int64_t now_ms,
                                  const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return group_error::unknown_member;
    auto& g = it->second;
    auto id = member_id;
    if (auto i = g.instances.find(instance_id); id.empty() && !instance_id.empty() && i != g.instances.end())
        id = i->second;
    if (fenced_locked(&g, id, instance_id)) return group_error::fenced_instance_id;
    if (!g.members.count(id)) return group_error::unknown_member;
    util::logger("groups")->info("group {}: member {} left", group_id, id);
    remove_member_locked(g, id, now_ms);
    return group_error::none;
}

group_error classic_groups::check_commit(const std::string& group_id, const std::string& member_id,
                                         std::int32_t generation, std::int64_t now_ms,
                                         const std::string& instance_id) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    bool has_members = it != groups_.end() && !it->second.members.empty();
    if (generation < 0 && member_id.empty())
        return has_members ? group_error::unknown_member : group_error::none;
    auto [gp, m] = heard_from_locked(group_id, member_id, now_ms);
    if (fenced_locked(gp, member_id, instance_id)) return group_error::fenced_instance_id;
    if (!m) return group_error::unknown_member;
    auto& g = *gp;
    if (generation != g.generation) return group_error::illegal_generation;
    if (g.st == state::completing) return group_error::rebalance_in_progress;
    return group_error::none;
}

bool classic_groups::has_members(const std::string& group_id) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    return it != groups_.end() && !it->second.members.empty();
}

std::optional<classic_group_view> classic_groups::describe(const std::string& group_id) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return std::nullopt;
    return view_locked(group_id, it->second);
}

classic_group_view classic_groups::view_locked(const std::string& group_id, const group& g) {
    static constexpr const char* names[] = {"Empty", "PreparingRebalance", "CompletingRebalance", "Stable"};
    std::vector<classic_member_view> members;
    for (const auto& id : g.join_order) {
        auto it = g.members.find(id);
        if (it == g.members.end()) continue;
        const auto& m = it->second;
        std::string metadata;
        for (const auto& p : m.protocols)
            if (p.name == g.protocol_name) metadata = p.metadata;
        members.push_back({id, m.instance_id, m.client_id, m.client_host, metadata, m.assignment.value_or("")});
    }
    return {names[static_cast<int>(g.st)], g.generation, g.protocol_type, g.protocol_name, g.leader, std::move(members),
            group_id};
}

std::vector<classic_group_view> classic_groups::list() const {
    std::lock_guard lock(mu_);
    std::vector<classic_group_view> out;
    for (const auto& [id, g] : groups_)
        if (!g.members.empty()) out.push_back(view_locked(id, g));
    return out;
}

void classic_groups::clear() {
    std::lock_guard lock(mu_);
    groups_.clear();
}

void classic_groups::expire(std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    for (auto& [id, g] : groups_) {
        expire_locked(g, now_ms);
        try_complete_locked(id, g, now_ms);
    }
}

}  // namespace gafka::broker
