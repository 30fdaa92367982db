#include "gafka/replication/fetch_protocol.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/rules/names.h"

namespace gafka::replication {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;
using value = rapidjson::Value;

status bad(const std::string& what) { return status::invalid_argument("replica fetch: " + what); }

bool get_i64(const value& o, const char* k, std::int64_t& out) {
    if (!o.HasMember(k) || !o[k].IsInt64()) return false;
    out = o[k].GetInt64();
    return true;
}

template <typename T>
bool get_int(const value& o, const char* k, T& out, std::int64_t lo, std::int64_t hi) {
    std::int64_t v = 0;
    if (!get_i64(o, k, v) || v < lo || v > hi) return false;
    out = static_cast<T>(v);
    return true;
}

bool get_str(const value& o, const char* k, std::string& out) {
    if (!o.HasMember(k) || !o[k].IsString()) return false;
    out.assign(o[k].GetString(), o[k].GetStringLength());
    return true;
}

}  // namespace

std::string encode_fetch_request(const fetch_request& r) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("replica_id");
    w.Int(r.replica);
    w.Key("host");
    w.String(r.host.c_str());
    w.Key("port");
    w.Uint(r.port);
    w.Key("leader_epoch");
    w.Int(r.leader_epoch);
    w.Key("max_wait_ms");
    w.Int64(r.max_wait_ms);
    w.Key("partitions");
    w.StartArray();
    for (const auto& p : r.partitions) {
        w.StartObject();
        w.Key("topic");
        w.String(p.topic.c_str());
        w.Key("partition");
        w.Int(p.partition);
        w.Key("offset");
        w.Int64(p.offset);
        w.Key("last_epoch");
        w.Int(p.last_epoch);
        if (p.incarnation > 0) {
            w.Key("incarnation");
            w.Int64(p.incarnation);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

result<fetch_request> parse_fetch_request(std::string_view body) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject()) return bad("the body must be a JSON object");
    fetch_request r;
    if (!get_int(d, "replica_id", r.replica, 0, INT32_MAX)) return bad("'replica_id' must be a broker id");
    if (!get_str(d, "host", r.host) || r.host.empty()) return bad("'host' must be the follower's host");
    if (!get_int(d, "port", r.port, 1, 65535)) return bad("'port' must be 1..65535");
    if (!get_int(d, "leader_epoch", r.leader_epoch, 0, INT32_MAX)) return bad("'leader_epoch' must be >= 0");
    if (!get_int(d, "max_wait_ms", r.max_wait_ms, 0, max_replica_wait_ms))
        return bad("'max_wait_ms' must be 0.." + std::to_string(max_replica_wait_ms));
    if (!d.HasMember("partitions") || !d["partitions"].IsArray()) return bad("'partitions' must be an array");
    for (const auto& p : d["partitions"].GetArray()) {
        fetch_partition_request x;
        if (!p.IsObject() || !get_str(p, "topic", x.topic) || !rules::check_stored_topic_name(x.topic).ok())
            return bad("each partition needs a legal 'topic'");
        if (!get_int(p, "partition", x.partition, 0, INT32_MAX)) return bad("'partition' must be >= 0");
        if (!get_int(p, "offset", x.offset, 0, INT64_MAX)) return bad("'offset' must be >= 0");
        if (!get_int(p, "last_epoch", x.last_epoch, no_epoch, INT32_MAX)) return bad("'last_epoch' must be >= -1");
        if (p.HasMember("incarnation") && !get_int(p, "incarnation", x.incarnation, 1, INT64_MAX))
            return bad("'incarnation' must be >= 1");
        r.partitions.push_back(std::move(x));
    }
    return r;
}

void append_response_header(std::string& out, const fetch_response_header& h, std::size_t partitions) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("leader_id");
    w.Int(h.leader_id);
    w.Key("leader_epoch");
    w.Int(h.leader_epoch);
    w.Key("topics_version");
    w.String(h.topics_version.c_str());
    if (h.kafka_port != 0) {
        w.Key("kafka_host");
        w.String(h.kafka_host.c_str());
        w.Key("kafka_port");
        w.Uint(h.kafka_port);
    }
    w.Key("partitions");
    w.Uint64(partitions);
    w.EndObject();
    out.append(buf.GetString(), buf.GetSize());
    out += '\n';
}

void append_partition_response(std::string& out, const fetch_partition_response& p, std::string_view records) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("topic");
    w.String(p.topic.c_str());
    w.Key("partition");
    w.Int(p.partition);
    w.Key("high_watermark");
    w.Int64(p.high_watermark);
    w.Key("log_start_offset");
    w.Int64(p.log_start_offset);
    w.Key("log_end_offset");
    w.Int64(p.log_end_offset);
    w.Key("isr");
    w.StartArray();
    for (auto id : p.isr) w.Int(id);
    w.EndArray();
    if (!p.error.empty()) {
        w.Key("error");
        w.String(p.error.c_str());
        w.Key("message");
        w.String(p.message.c_str());
    }
    if (p.diverging) {
        w.Key("diverging");
        w.StartObject();
        w.Key("epoch");
        w.Int(p.diverging->epoch);
        w.Key("end_offset");
        w.Int64(p.diverging->end_offset);
        w.EndObject();
    }
    w.Key("bytes");
    w.Uint64(records.size());
    w.EndObject();
    out.append(buf.GetString(), buf.GetSize());
    out += '\n';
    out.append(records);
}

result<fetch_response> parse_fetch_response(std::string_view body) {
    auto next_line = [&](rapidjson::Document& d) -> status {
        auto nl = body.find('\n');
        if (nl == std::string_view::npos) return bad("answer cut short");
        d.Parse<rapidjson::kParseIterativeFlag>(body.data(), nl);
        body.remove_prefix(nl + 1);
        if (d.HasParseError() || !d.IsObject()) return bad("malformed answer line");
        return {};
    };
    fetch_response r;
    rapidjson::Document h;
    if (auto s = next_line(h); !s.ok()) return s;
    std::int64_t count = 0;
    if (!get_int(h, "leader_id", r.header.leader_id, -1, INT32_MAX) ||
        !get_int(h, "leader_epoch", r.header.leader_epoch, 0, INT32_MAX) ||
        !get_str(h, "topics_version", r.header.topics_version) || !get_i64(h, "partitions", count) || count < 0)
        return bad("malformed answer header");
    if (h.HasMember("kafka_port") &&
        (!get_str(h, "kafka_host", r.header.kafka_host) || !get_int(h, "kafka_port", r.header.kafka_port, 1, 65535)))
        return bad("malformed answer header");
    for (std::int64_t i = 0; i < count; ++i) {
        rapidjson::Document d;
        if (auto s = next_line(d); !s.ok()) return s;
        fetch_partition_response p;
        std::uint64_t bytes = 0;
        if (!get_str(d, "topic", p.topic) || !get_int(d, "partition", p.partition, 0, INT32_MAX) ||
            !get_i64(d, "high_watermark", p.high_watermark) || !get_i64(d, "log_start_offset", p.log_start_offset) ||
            !get_i64(d, "log_end_offset", p.log_end_offset) || !d.HasMember("bytes") || !d["bytes"].IsUint64() ||
            !d.HasMember("isr") || !d["isr"].IsArray())
            return bad("malformed partition line");
        for (const auto& id : d["isr"].GetArray()) {
            if (!id.IsInt()) return bad("malformed isr");
            p.isr.push_back(id.GetInt());
        }
        get_str(d, "error", p.error);
        get_str(d, "message", p.message);
        if (d.HasMember("diverging")) {
            const auto& v = d["diverging"];
            epoch_end e;
            if (!v.IsObject() || !get_int(v, "epoch", e.epoch, no_epoch, INT32_MAX) ||
                !get_i64(v, "end_offset", e.end_offset) || e.end_offset < 0)
                return bad("malformed diverging epoch");
            p.diverging = e;
        }
        bytes = d["bytes"].GetUint64();
        if (bytes > body.size()) return bad("answer cut short");
        p.records = body.substr(0, bytes);
        body.remove_prefix(bytes);
        r.partitions.push_back(std::move(p));
    }
    if (!body.empty()) return bad("trailing bytes after the last partition");
    return r;
}

}  // namespace gafka::replication
