#include "gafka/cluster/registration.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/rules/names.h"

namespace gafka::cluster {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

std::string text_of(rapidjson::StringBuffer& buf) { return {buf.GetString(), buf.GetSize()}; }

result<rapidjson::Document> parse_object(std::string_view json, const char* what) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject())
        return status::corruption(std::string("a ") + what + " value in etcd is not a JSON object");
    return d;
}

bool int_member(const rapidjson::Document& d, const char* k, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsInt64()) return false;
    out = it->value.GetInt64();
    return out >= lo && out <= hi;
}

}  // namespace

cluster_keys::cluster_keys(std::string_view name)
    : root("/gafka/" + std::string(name) + "/"), brokers(root + "brokers/"), controller(root + "controller") {}

status check_cluster_name(std::string_view name) {
    if (auto s = rules::check_topic_name(name); !s.ok())
        return status::invalid_argument("--cluster-name: " + s.message());
    return {};
}

std::string encode_broker(const broker_registration& b) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    w.Key("id");
    w.Int(b.id);
    str(w, "host", b.host);
    w.Key("port");
    w.Uint(b.port);
    if (!b.kafka_host.empty()) {
        str(w, "kafka_host", b.kafka_host);
        w.Key("kafka_port");
        w.Uint(b.kafka_port);
    }
    w.EndObject();
    return text_of(buf);
}

result<broker_registration> decode_broker(std::string_view json) {
    auto d = parse_object(json, "broker");
    if (!d.ok()) return d.error();
    broker_registration b;
    std::int64_t id = 0, port = 0, kafka_port = 0;
    auto host = d->FindMember("host");
    if (!int_member(*d, "id", 0, INT32_MAX, id) || !int_member(*d, "port", 1, 65535, port) || host == d->MemberEnd() ||
        !host->value.IsString())
        return status::corruption("a broker value in etcd lacks its id, host or port");
    b.id = static_cast<std::int32_t>(id);
    b.host = host->value.GetString();
    b.port = static_cast<std::uint16_t>(port);
    if (auto kh = d->FindMember("kafka_host");
        kh != d->MemberEnd() && kh->value.IsString() && int_member(*d, "kafka_port", 1, 65535, kafka_port)) {
        b.kafka_host = kh->value.GetString();
        b.kafka_port = static_cast<std::uint16_t>(kafka_port);
    }
    return b;
}

std::string encode_controller(std::int32_t id) { return "{\"id\":" + std::to_string(id) + "}"; }

result<std::int32_t> decode_controller(std::string_view json) {
    auto d = parse_object(json, "controller");
    if (!d.ok()) return d.error();
    std::int64_t id = 0;
    if (!int_member(*d, "id", 0, INT32_MAX, id)) return status::corruption("the controller value in etcd has no id");
    return static_cast<std::int32_t>(id);
}

}  // namespace gafka::cluster
