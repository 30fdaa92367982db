#include "gafka/tools/admin.h"

#include <ostream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/broker/names.h"
#include "gafka/client/broker_client.h"
#include "gafka/client/partitioner.h"

namespace gafka::tools {
namespace {

using client::broker_client;

// Runs one request; prints the answer (or each element of `list_key`) as
// JSON lines. `ok_status` is the expected HTTP status.
int request(const admin_options& o, const std::string& method, const std::string& target, const std::string& body,
            unsigned ok_status, const char* list_key, std::ostream& out, std::ostream& err,
            const char* tolerated_code = nullptr) {
    auto c = broker_client::connect(o.brokers);
    if (!c.ok()) {
        err << "gafka-admin: error: " << c.error().message() << "\n";
        return 2;
    }
    auto r = (*c)->call(method, target, body, body.empty() ? "" : "application/json");
    if (!r.ok()) {
        err << "gafka-admin: error: " << r.error().message() << "\n";
        return 1;
    }
    if (r->status != ok_status) {
        if (tolerated_code && client::error_code(*r) == tolerated_code) return 0;
        err << "gafka-admin: error: " << client::describe_error(*r) << "\n";
        return 1;
    }
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError()) {
        err << "gafka-admin: error: malformed answer from the broker\n";
        return 1;
    }
    auto print = [&](const rapidjson::Value& v) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        v.Accept(w);
        out << buf.GetString() << "\n";
    };
    if (list_key && d.IsObject() && d.HasMember(list_key) && d[list_key].IsArray()) {
        for (const auto& v : d[list_key].GetArray()) print(v);
    } else {
        print(d);
    }
    out << std::flush;
    return 0;
}

// Names go into URL paths and JSON unescaped: only legal ones get that far.
bool topic_name_ok(const std::string& name, std::ostream& err) {
    auto s = broker::check_topic_name(name);
    if (!s.ok()) err << "gafka-admin: error: " << s.message() << "\n";
    return s.ok();
}

}  // namespace

int admin_create_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    std::string body = "{\"name\":\"" + o.name + "\",\"partitions\":" + std::to_string(o.partitions);
    if (o.retention_bytes) body += ",\"retention_bytes\":" + std::to_string(*o.retention_bytes);
    if (o.retention_ms) body += ",\"retention_ms\":" + std::to_string(*o.retention_ms);
    body += "}";
    if (!topic_name_ok(o.name, err)) return 2;
    return request(o, "POST", "/api/v1/topics", body, 201, nullptr, out, err,
                   o.if_not_exists ? "topic_exists" : nullptr);
}

int admin_list_topics(const admin_options& o, std::ostream& out, std::ostream& err) {
    return request(o, "GET", "/api/v1/topics", "", 200, "topics", out, err);
}

int admin_describe_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!topic_name_ok(o.name, err)) return 2;
    return request(o, "GET", "/api/v1/topics/" + o.name, "", 200, nullptr, out, err);
}

int admin_delete_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!topic_name_ok(o.name, err)) return 2;
    return request(o, "DELETE", "/api/v1/topics/" + o.name, "", 200, nullptr, out, err);
}

int admin_metadata(const admin_options& o, std::ostream& out, std::ostream& err) {
    return request(o, "GET", "/api/v1/metadata", "", 200, nullptr, out, err);
}

int admin_partition_for(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!topic_name_ok(o.topic, err)) return 2;
    auto c = broker_client::connect(o.brokers);
    if (!c.ok()) {
        err << "gafka-admin: error: " << c.error().message() << "\n";
        return 2;
    }
    auto n = (*c)->partition_count(o.topic);
    if (!n) {
        err << "gafka-admin: error: unknown topic '" << o.topic << "' (or no broker reachable)\n";
        return 1;
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("topic");
    w.String(o.topic.c_str());
    w.Key("key");
    w.String(o.key.c_str(), static_cast<rapidjson::SizeType>(o.key.size()));
    w.Key("partition");
    w.Int(client::partition_for_key(o.key, *n));
    w.Key("partitions");
    w.Int(*n);
    w.EndObject();
    out << buf.GetString() << "\n" << std::flush;
    return 0;
}

}  // namespace gafka::tools
