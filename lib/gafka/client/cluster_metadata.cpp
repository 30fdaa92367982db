#include "gafka/client/cluster_metadata.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <limits>
#include <set>

#include "gafka/util/host_port.h"

namespace gafka::client {
namespace {

using json_value = rapidjson::Value;
constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();

status bad(const std::string& at, std::string_view what) {
    return status::invalid_argument("metadata: " + at + ": " + std::string(what));
}

std::string path(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string index(const std::string& at, rapidjson::SizeType i) {
    return at + "[" + std::to_string(i) + "]";
}

status read_int(const json_value& v, const std::string& at, std::int64_t lo, std::int64_t hi,
                std::int64_t& out) {
    if (!v.IsInt64()) return bad(at, "expected an integer");
    out = v.GetInt64();
    if (out < lo || out > hi) return bad(at, "out of range");
    return {};
}

// Finds a required member of `obj`; `out` stays null when it is missing.
status member(const json_value& obj, const char* key, const std::string& at, const json_value*& out) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return bad(at, "missing");
    out = &it->value;
    return {};
}

template <typename T>
status read_int_member(const json_value& obj, const char* key, const std::string& where,
                       std::int64_t lo, std::int64_t hi, T& out) {
    const json_value* v = nullptr;
    std::string at = path(where, key);
    if (auto s = member(obj, key, at, v); !s.ok()) return s;
    std::int64_t n = 0;
    if (auto s = read_int(*v, at, lo, hi, n); !s.ok()) return s;
    out = static_cast<T>(n);
    return {};
}

status read_array_member(const json_value& obj, const char* key, const std::string& where,
                         const json_value*& out) {
    if (auto s = member(obj, key, path(where, key), out); !s.ok()) return s;
    return out->IsArray() ? status{} : bad(path(where, key), "expected an array");
}

status read_string_member(const json_value& obj, const char* key, const std::string& where,
                          std::string& out) {
    const json_value* v = nullptr;
    std::string at = path(where, key);
    if (auto s = member(obj, key, at, v); !s.ok()) return s;
    if (!v->IsString()) return bad(at, "expected a string");
    if (v->GetStringLength() == 0) return bad(at, "empty");
    out.assign(v->GetString(), v->GetStringLength());
    return {};
}

status read_id_list(const json_value& obj, const char* key, const std::string& where,
                    std::vector<broker_id_t>& out) {
    const json_value* arr = nullptr;
    if (auto s = read_array_member(obj, key, where, arr); !s.ok()) return s;
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
        std::int64_t id = 0;
        if (auto s = read_int((*arr)[i], index(path(where, key), i), 0, int32_max, id); !s.ok()) return s;
        out.push_back(static_cast<broker_id_t>(id));
    }
    return {};
}

status parse_broker(const json_value& v, const std::string& at, broker_address& b) {
    if (!v.IsObject()) return bad(at, "expected an object");
    if (auto s = read_int_member(v, "id", at, 0, int32_max, b.id); !s.ok()) return s;
    if (auto s = read_string_member(v, "host", at, b.host); !s.ok()) return s;
    return read_int_member(v, "port", at, 1, 65535, b.port);
}

status parse_partition(const json_value& v, const std::string& at, partition_metadata& p) {
    if (!v.IsObject()) return bad(at, "expected an object");
    if (auto s = read_int_member(v, "partition", at, 0, int32_max, p.partition); !s.ok()) return s;
    if (auto s = read_int_member(v, "leader", at, -1, int32_max, p.leader); !s.ok()) return s;
    if (auto s = read_int_member(v, "leader_epoch", at, -1, int32_max, p.leader_epoch); !s.ok()) return s;
    if (auto s = read_id_list(v, "replicas", at, p.replicas); !s.ok()) return s;
    return read_id_list(v, "isr", at, p.isr);
}

status parse_topic(const json_value& v, const std::string& at, topic_metadata& t) {
    if (!v.IsObject()) return bad(at, "expected an object");
    if (auto s = read_string_member(v, "name", at, t.name); !s.ok()) return s;
    const json_value* parts = nullptr;
    if (auto s = read_array_member(v, "partitions", at, parts); !s.ok()) return s;
    std::set<partition_id_t> seen;
    for (rapidjson::SizeType i = 0; i < parts->Size(); ++i) {
        std::string pat = index(path(at, "partitions"), i);
        partition_metadata p;
        if (auto s = parse_partition((*parts)[i], pat, p); !s.ok()) return s;
        if (!seen.insert(p.partition).second) return bad(pat, "duplicate partition");
        t.partitions.push_back(std::move(p));
    }
    return {};
}

status parse_coordinators(const json_value& doc, std::map<std::string, broker_id_t>& out) {
    auto it = doc.FindMember("group_coordinators");
    if (it == doc.MemberEnd()) return {};
    if (!it->value.IsObject()) return bad("group_coordinators", "expected an object");
    for (const auto& m : it->value.GetObject()) {
        std::string group(m.name.GetString(), m.name.GetStringLength());
        std::int64_t id = 0;
        if (auto s = read_int(m.value, "group_coordinators." + group, -1, int32_max, id); !s.ok()) return s;
        out[group] = static_cast<broker_id_t>(id);
    }
    return {};
}

}  // namespace

result<metadata_snapshot> parse_metadata_json(std::string_view body) {
    rapidjson::Document doc;
    // Iterative parsing: deep nesting cannot exhaust the stack.
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError()) {
        return status::invalid_argument(std::string("metadata: not JSON: ") +
                                        rapidjson::GetParseError_En(doc.GetParseError()) +
                                        " at offset " + std::to_string(doc.GetErrorOffset()));
    }
    if (!doc.IsObject()) return bad("body", "expected an object");
    metadata_snapshot snap;
    const json_value* brokers = nullptr;
    if (auto s = read_array_member(doc, "brokers", "", brokers); !s.ok()) return s;
    std::set<broker_id_t> broker_ids;
    for (rapidjson::SizeType i = 0; i < brokers->Size(); ++i) {
        broker_address b;
        if (auto s = parse_broker((*brokers)[i], index("brokers", i), b); !s.ok()) return s;
        if (!broker_ids.insert(b.id).second) return bad(index("brokers", i), "duplicate broker id");
        snap.brokers.push_back(std::move(b));
    }
    if (auto s = read_int_member(doc, "controller_id", "", -1, int32_max, snap.controller_id); !s.ok())
        return s;
    const json_value* topics = nullptr;
    if (auto s = read_array_member(doc, "topics", "", topics); !s.ok()) return s;
    std::set<std::string> names;
    for (rapidjson::SizeType i = 0; i < topics->Size(); ++i) {
        topic_metadata t;
        if (auto s = parse_topic((*topics)[i], index("topics", i), t); !s.ok()) return s;
        if (!names.insert(t.name).second) return bad(index("topics", i), "duplicate topic");
        snap.topics.push_back(std::move(t));
    }
    if (auto s = parse_coordinators(doc, snap.group_coordinators); !s.ok()) return s;
    snap.in_cluster = doc.HasMember("cluster");
    if (snap.in_cluster && doc["cluster"].IsObject() && doc["cluster"].HasMember("session_timeout_ms") &&
        doc["cluster"]["session_timeout_ms"].IsInt64())
        snap.cluster_session_timeout_ms = std::max<std::int64_t>(0, doc["cluster"]["session_timeout_ms"].GetInt64());
    return snap;
}

result<std::vector<broker_address>> parse_bootstrap(std::string_view list) {
    auto parsed = util::parse_host_port_list(list);
    if (!parsed.ok()) return parsed.error();
    std::vector<broker_address> out;
    for (auto& hp : *parsed) out.push_back(broker_address{no_broker, std::move(hp.host), hp.port});
    return out;
}

bool metadata_change::empty() const {
    return topics_added.empty() && topics_removed.empty() && partition_counts_changed.empty() &&
           leaders_changed.empty() && !brokers_changed && !controller_changed &&
           !group_coordinators_changed;
}

cluster_metadata::cluster_metadata(std::vector<broker_address> bootstrap, cluster_metadata_options options)
    : bootstrap_(std::move(bootstrap)), options_(options) {}

void cluster_metadata::update(metadata_snapshot snapshot, std::int64_t now_ms) {
    view next;
    next.brokers = std::move(snapshot.brokers);
    std::sort(next.brokers.begin(), next.brokers.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    next.controller_id = snapshot.controller_id;
    for (auto& t : snapshot.topics) {
        std::sort(t.partitions.begin(), t.partitions.end(),
                  [](const auto& a, const auto& b) { return a.partition < b.partition; });
        std::string name = t.name;
        next.topics.insert_or_assign(std::move(name), std::move(t));
    }
    next.group_coordinators.insert(snapshot.group_coordinators.begin(), snapshot.group_coordinators.end());
    next.in_cluster = snapshot.in_cluster;
    next.cluster_session_timeout_ms = snapshot.cluster_session_timeout_ms;

    metadata_change change = diff(view_, next);
    view_ = std::move(next);
    ++version_;
    last_success_ms_ = now_ms;
    last_attempt_ms_ = now_ms;
    refresh_requested_ = false;
    if (!change.empty()) notify(change);
}

void cluster_metadata::failed_refresh(std::int64_t now_ms) { last_attempt_ms_ = now_ms; }

metadata_change cluster_metadata::diff(const view& before, const view& after) {
    metadata_change c;
    c.brokers_changed = before.brokers != after.brokers;
    c.controller_changed = before.controller_id != after.controller_id;
    c.group_coordinators_changed = before.group_coordinators != after.group_coordinators;
    for (const auto& [name, t] : before.topics)
        if (!after.topics.contains(name)) c.topics_removed.push_back(name);
    for (const auto& [name, t] : after.topics) {
        auto old = before.topics.find(name);
        if (old == before.topics.end()) {
            c.topics_added.push_back(name);
            continue;
        }
        const auto& was = old->second.partitions;
        const auto& now = t.partitions;
        if (was.size() != now.size()) {
            c.partition_counts_changed.push_back(
                {name, static_cast<std::int32_t>(was.size()), static_cast<std::int32_t>(now.size())});
        }
        // Both sorted by partition: walk them together.
        for (std::size_t i = 0, j = 0; i < was.size() && j < now.size();) {
            if (was[i].partition < now[j].partition) { ++i; continue; }
            if (now[j].partition < was[i].partition) { ++j; continue; }
            if (was[i].leader != now[j].leader)
                c.leaders_changed.push_back({name, now[j].partition, was[i].leader, now[j].leader});
            ++i;
            ++j;
        }
    }
    return c;
}

void cluster_metadata::notify(const metadata_change& change) {
    std::vector<int> ids;
    for (const auto& [id, fn] : listeners_) ids.push_back(id);
    for (int id : ids) {
        auto it = listeners_.find(id);
        if (it == listeners_.end()) continue;
        listener fn = it->second;  // a copy: the listener may remove itself
        fn(change);
    }
}

std::int64_t cluster_metadata::time_to_next_refresh(std::int64_t now_ms) const {
    std::int64_t until_due = 0;
    if (has_metadata() && !refresh_requested_)
        until_due = std::max<std::int64_t>(0, *last_success_ms_ + options_.max_age_ms - now_ms);
    std::int64_t until_allowed = 0;
    if (last_attempt_ms_)
        until_allowed = std::max<std::int64_t>(0, *last_attempt_ms_ + options_.refresh_backoff_ms - now_ms);
    return std::max(until_due, until_allowed);
}

bool cluster_metadata::needs_refresh(std::int64_t now_ms) const { return time_to_next_refresh(now_ms) == 0; }

std::uint64_t cluster_metadata::request_refresh() {
    refresh_requested_ = true;
    return version_;
}

const std::vector<broker_address>& cluster_metadata::brokers() const {
    return has_metadata() ? view_.brokers : bootstrap_;
}

std::vector<broker_address> cluster_metadata::brokers_to_try() const {
    if (view_.brokers.empty()) return bootstrap_;
    if (!view_.in_cluster) return view_.brokers;
    auto out = bootstrap_;
    for (const auto& b : view_.brokers)
        if (std::none_of(out.begin(), out.end(), [&](const auto& x) { return x.host == b.host && x.port == b.port; }))
            out.push_back(b);
    return out;
}

std::optional<broker_address> cluster_metadata::broker(broker_id_t id) const {
    auto it = std::lower_bound(view_.brokers.begin(), view_.brokers.end(), id,
                               [](const broker_address& b, broker_id_t v) { return b.id < v; });
    if (id == no_broker || it == view_.brokers.end() || it->id != id) return std::nullopt;
    return *it;
}

std::optional<broker_address> cluster_metadata::controller() const { return broker(view_.controller_id); }

std::chrono::milliseconds cluster_metadata::failover_window() const {
    if (!view_.in_cluster) return std::chrono::milliseconds(0);
    // A broker that does not say: the default --cluster-session-timeout.
    const std::int64_t session = view_.cluster_session_timeout_ms > 0 ? view_.cluster_session_timeout_ms : 6000;
    return std::chrono::milliseconds(2 * session + 2000);
}

std::optional<broker_address> cluster_metadata::group_coordinator(std::string_view group) const {
    auto it = view_.group_coordinators.find(group);
    if (it == view_.group_coordinators.end()) return std::nullopt;
    return broker(it->second);
}

std::vector<std::string> cluster_metadata::topics() const {
    std::vector<std::string> names;
    for (const auto& [name, t] : view_.topics) names.push_back(name);
    return names;
}

const topic_metadata* cluster_metadata::find_topic(std::string_view topic) const {
    auto it = view_.topics.find(topic);
    return it == view_.topics.end() ? nullptr : &it->second;
}

std::optional<std::int32_t> cluster_metadata::partition_count(std::string_view topic) const {
    const auto* t = find_topic(topic);
    if (!t) return std::nullopt;
    return static_cast<std::int32_t>(t->partitions.size());
}

leader_lookup cluster_metadata::leader_for(std::string_view topic, partition_id_t partition) const {
    const auto* t = find_topic(topic);
    if (!t) return {};
    auto it = std::lower_bound(t->partitions.begin(), t->partitions.end(), partition,
                               [](const partition_metadata& p, partition_id_t v) { return p.partition < v; });
    if (it == t->partitions.end() || it->partition != partition) return {};
    leader_lookup out{leader_state::no_leader, broker(it->leader), it->leader_epoch};
    if (out.leader) out.state = leader_state::known;
    return out;
}

std::vector<partition_id_t> cluster_metadata::available_partitions(std::string_view topic) const {
    std::vector<partition_id_t> out;
    if (const auto* t = find_topic(topic)) {
        for (const auto& p : t->partitions)
            if (broker(p.leader)) out.push_back(p.partition);
    }
    return out;
}

int cluster_metadata::add_listener(listener fn) {
    int id = next_listener_id_++;
    listeners_.emplace(id, std::move(fn));
    return id;
}

bool cluster_metadata::remove_listener(int id) { return listeners_.erase(id) > 0; }

}  // namespace gafka::client
