#include "gafka/cluster/assignment.h"

#include <algorithm>
#include <charconv>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gafka::cluster {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void ids(writer& w, const char* k, const std::vector<std::int32_t>& v) {
    w.Key(k);
    w.StartArray();
    for (auto id : v) w.Int(id);
    w.EndArray();
}

bool int_field(const rapidjson::Document& d, const char* k, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsInt64()) return false;
    out = it->value.GetInt64();
    return out >= lo && out <= hi;
}

bool ids_field(const rapidjson::Document& d, const char* k, std::vector<std::int32_t>& out) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsArray()) return false;
    for (const auto& e : it->value.GetArray()) {
        if (!e.IsInt() || e.GetInt() < 0) return false;
        out.push_back(e.GetInt());
    }
    return true;
}

result<rapidjson::Document> parse(std::string_view json, const char* what) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject())
        return status::corruption(std::string("a ") + what + " value in etcd is not a JSON object");
    return d;
}

compare controller_is(const cluster_keys& k, revision_t epoch) {
    return {compare::target::create_revision, k.controller, epoch, {}};
}

}  // namespace

std::int32_t default_replication_factor(std::int32_t configured, std::size_t live_brokers) {
    if (configured > 0) return configured;
    return static_cast<std::int32_t>(std::min<std::size_t>(3, std::max<std::size_t>(1, live_brokers)));
}

result<std::vector<partition_state>> assign_replicas(std::vector<std::int32_t> brokers, std::int32_t partitions,
                                                     std::int32_t replication_factor, std::uint32_t start) {
    std::sort(brokers.begin(), brokers.end());
    brokers.erase(std::unique(brokers.begin(), brokers.end()), brokers.end());
    if (replication_factor < 1 || static_cast<std::size_t>(replication_factor) > brokers.size())
        return status::invalid_argument("replication factor " + std::to_string(replication_factor) +
                                        " is not between 1 and the " + std::to_string(brokers.size()) +
                                        " live broker(s)");
    if (partitions < 1) return status::invalid_argument("a topic needs at least one partition");
    const std::size_t n = brokers.size();
    std::vector<partition_state> out(static_cast<std::size_t>(partitions));
    for (std::size_t p = 0; p < out.size(); ++p) {
        auto& s = out[p];
        for (std::size_t r = 0; r < static_cast<std::size_t>(replication_factor); ++r)
            s.replicas.push_back(brokers[(start + p + r) % n]);
        s.leader = s.replicas.front();
        s.isr = s.replicas;
    }
    return out;
}

std::uint32_t assignment_start(std::string_view topic) {
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : topic) h = (h ^ c) * 16777619u;
    return h;
}

std::string topics_prefix(const cluster_keys& k) { return k.root + "topics/"; }
std::string partitions_prefix(const cluster_keys& k) { return k.root + "partitions/"; }
std::string topic_key(const cluster_keys& k, std::string_view topic) { return topics_prefix(k) + std::string(topic); }
std::string partition_key(const cluster_keys& k, std::string_view topic, std::int32_t partition) {
    return partitions_prefix(k) + std::string(topic) + "/" + std::to_string(partition);
}

result<std::pair<std::string, std::int32_t>> parse_partition_key(const cluster_keys& k, std::string_view key) {
    auto prefix = partitions_prefix(k);
    if (key.substr(0, prefix.size()) != prefix) return status::invalid_argument("not a partition key");
    key.remove_prefix(prefix.size());
    auto slash = key.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return status::invalid_argument("not a partition key");
    std::int32_t p = -1;
    auto digits = key.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || p < 0)
        return status::invalid_argument("not a partition key");
    return std::pair{std::string(key.substr(0, slash)), p};
}

result<std::string> parse_topic_key(const cluster_keys& k, std::string_view key) {
    auto prefix = topics_prefix(k);
    if (key.substr(0, prefix.size()) != prefix) return status::invalid_argument("not a topic key");
    key.remove_prefix(prefix.size());
    if (key.empty() || key.find('/') != std::string_view::npos) return status::invalid_argument("not a topic key");
    return std::string(key);
}

std::string encode_topic(const topic_record& t) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("partitions");
    w.Int(t.partitions);
    w.Key("replication_factor");
    w.Int(t.replication_factor);
    w.Key("retention_ms");
    w.Int64(t.retention_ms);
    w.Key("retention_bytes");
    w.Int64(t.retention_bytes);
    w.Key("compression");
    w.String(log::to_string(t.compression));
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

result<topic_record> decode_topic(std::string_view json) {
    auto d = parse(json, "topic");
    if (!d.ok()) return d.error();
    std::int64_t p = 0, rf = 0;
    if (!int_field(*d, "partitions", 1, INT32_MAX, p) || !int_field(*d, "replication_factor", 1, INT32_MAX, rf))
        return status::corruption("a topic value in etcd lacks its partitions or replication_factor");
    topic_record t{static_cast<std::int32_t>(p), static_cast<std::int32_t>(rf)};
    // The config: absent in values written before it was recorded (the defaults then).
    for (auto [key, field] :
         {std::pair{"retention_ms", &t.retention_ms}, std::pair{"retention_bytes", &t.retention_bytes}})
        if (d->HasMember(key) && !int_field(*d, key, -1, INT64_MAX, *field))
            return status::corruption(std::string("a topic value in etcd has a bad ") + key);
    if (auto it = d->FindMember("compression"); it != d->MemberEnd()) {
        auto c = it->value.IsString() ? log::parse_compression_type(it->value.GetString()) : std::nullopt;
        if (!c) return status::corruption("a topic value in etcd has a bad compression");
        t.compression = *c;
    }
    return t;
}

std::string encode_partition(const partition_state& p) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("leader");
    w.Int(p.leader);
    w.Key("leader_epoch");
    w.Int(p.leader_epoch);
    ids(w, "replicas", p.replicas);
    ids(w, "isr", p.isr);
    w.Key("controller_epoch");
    w.Int64(p.controller_epoch);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

result<partition_state> decode_partition(std::string_view json) {
    auto d = parse(json, "partition");
    if (!d.ok()) return d.error();
    partition_state p;
    std::int64_t leader = 0, epoch = 0, cepoch = 0;
    if (!int_field(*d, "leader", -1, INT32_MAX, leader) || !int_field(*d, "leader_epoch", 0, INT32_MAX, epoch) ||
        !int_field(*d, "controller_epoch", 0, INT64_MAX, cepoch) || !ids_field(*d, "replicas", p.replicas) ||
        !ids_field(*d, "isr", p.isr) || p.replicas.empty())
        return status::corruption("a partition value in etcd lacks its leader, epochs, replicas or isr");
    p.leader = static_cast<std::int32_t>(leader);
    p.leader_epoch = static_cast<std::int32_t>(epoch);
    p.controller_epoch = cepoch;
    return p;
}

txn_request create_topic_txn(const cluster_keys& k, std::string_view topic, const topic_record& t,
                             const std::vector<partition_state>& partitions, revision_t controller_epoch) {
    txn_request r;
    auto tk = topic_key(k, topic);
    r.compares.push_back(controller_is(k, controller_epoch));
    r.compares.push_back({compare::target::create_revision, tk, 0, {}});
    r.success.push_back({txn_op::kind::put, tk, encode_topic(t), 0, {}});
    for (std::size_t p = 0; p < partitions.size(); ++p)
        r.success.push_back({txn_op::kind::put, partition_key(k, topic, static_cast<std::int32_t>(p)),
                             encode_partition(partitions[p]), 0, {}});
    r.failure.push_back({txn_op::kind::range, k.controller, {}, 0, {}});
    r.failure.push_back({txn_op::kind::range, tk, {}, 0, {}});
    return r;
}

txn_request add_partitions_txn(const cluster_keys& k, std::string_view topic, const topic_record& grown,
                               revision_t topic_mod_revision, std::int32_t first,
                               const std::vector<partition_state>& added, revision_t controller_epoch) {
    txn_request r;
    auto tk = topic_key(k, topic);
    r.compares.push_back(controller_is(k, controller_epoch));
    r.compares.push_back({compare::target::mod_revision, tk, topic_mod_revision, {}});
    r.success.push_back({txn_op::kind::put, tk, encode_topic(grown), 0, {}});
    for (std::size_t i = 0; i < added.size(); ++i) {
        auto pk = partition_key(k, topic, first + static_cast<std::int32_t>(i));
        r.compares.push_back({compare::target::create_revision, pk, 0, {}});
        r.success.push_back({txn_op::kind::put, pk, encode_partition(added[i]), 0, {}});
    }
    r.failure.push_back({txn_op::kind::range, k.controller, {}, 0, {}});
    r.failure.push_back({txn_op::kind::range, tk, {}, 0, {}});
    return r;
}

txn_request update_partition_txn(const cluster_keys& k, std::string_view topic, std::int32_t partition,
                                 const partition_state& next, revision_t mod_revision, revision_t controller_epoch) {
    txn_request r;
    auto pk = partition_key(k, topic, partition);
    r.compares.push_back(controller_is(k, controller_epoch));
    r.compares.push_back({compare::target::mod_revision, pk, mod_revision, {}});
    r.success.push_back({txn_op::kind::put, pk, encode_partition(next), 0, {}});
    r.failure.push_back({txn_op::kind::range, pk, {}, 0, {}});
    return r;
}

txn_request update_isr_txn(const cluster_keys& k, std::string_view topic, std::int32_t partition,
                           const partition_state& next, revision_t mod_revision) {
    txn_request r;
    auto pk = partition_key(k, topic, partition);
    r.compares.push_back({compare::target::mod_revision, pk, mod_revision, {}});
    r.success.push_back({txn_op::kind::put, pk, encode_partition(next), 0, {}});
    return r;
}

txn_request delete_topic_txn(const cluster_keys& k, std::string_view topic, revision_t topic_mod_revision,
                             revision_t controller_epoch) {
    txn_request r;
    auto tk = topic_key(k, topic);
    // The slash ends the name: "orders/" does not cover "orders2/0".
    auto partitions = partitions_prefix(k) + std::string(topic) + "/";
    r.compares.push_back(controller_is(k, controller_epoch));
    r.compares.push_back({compare::target::mod_revision, tk, topic_mod_revision, {}});
    r.success.push_back({txn_op::kind::remove, tk, {}, 0, {}});
    r.success.push_back({txn_op::kind::remove, partitions, {}, 0, prefix_end(partitions)});
    r.failure.push_back({txn_op::kind::range, k.controller, {}, 0, {}});
    r.failure.push_back({txn_op::kind::range, tk, {}, 0, {}});
    return r;
}

}  // namespace gafka::cluster
