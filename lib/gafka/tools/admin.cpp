#include "gafka/tools/admin.h"

#include <optional>
#include <ostream>
#include <sstream>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/http_connection.h"
#include "gafka/rules/names.h"
#include "gafka/rules/partitioner.h"
#include "gafka/tools/admin_request.h"

namespace gafka::tools {
namespace {

using client::broker_client;

// Runs one request; prints the answer (or each element of `list_key`) as
// JSON lines.
int request(const admin_options& o, const std::string& method, const std::string& target, const std::string& body,
            unsigned ok_status, const char* list_key, std::ostream& out, std::ostream& err,
            const char* tolerated_code = nullptr) {
    auto a = admin_request(o.brokers, method, target, body, ok_status, err, tolerated_code);
    if (!a.body) return a.exit_code;
    const auto& d = *a.body;
    if (list_key && d.HasMember(list_key) && d[list_key].IsArray()) {
        for (const auto& v : d[list_key].GetArray()) out << json_line(v);
    } else {
        out << json_line(d);
    }
    out << std::flush;
    return 0;
}

// The controller's HTTP address when a broker of `brokers` is in a cluster
// that has one; else nothing (errors are left to the request that follows).
std::optional<std::string> controller_address(const std::string& brokers) {
    std::ostringstream quiet;
    auto a = admin_request(brokers, "GET", "/api/v1/metadata", "", 200, quiet);
    if (!a.body || !a.body->HasMember("cluster") || !(*a.body)["cluster"].IsObject()) return std::nullopt;
    const auto& c = (*a.body)["cluster"];
    if (!c.HasMember("controller") || !c["controller"].IsObject() || !c["controller"].HasMember("id") ||
        !c["controller"]["id"].IsInt() || !c.HasMember("brokers") || !c["brokers"].IsArray())
        return std::nullopt;
    const int id = c["controller"]["id"].GetInt();
    for (const auto& b : c["brokers"].GetArray())
        if (b.IsObject() && b.HasMember("id") && b["id"].IsInt() && b["id"].GetInt() == id && b.HasMember("host") &&
            b["host"].IsString() && b.HasMember("port") && b["port"].IsUint())
            return std::string(b["host"].GetString()) + ":" + std::to_string(b["port"].GetUint());
    return std::nullopt;
}

}  // namespace

int admin_create_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    std::string body = "{\"name\":\"" + o.name + "\",\"partitions\":" + std::to_string(o.partitions);
    if (o.retention_bytes) body += ",\"retention_bytes\":" + std::to_string(*o.retention_bytes);
    if (o.retention_ms) body += ",\"retention_ms\":" + std::to_string(*o.retention_ms);
    if (o.compression) body += ",\"compression\":\"" + *o.compression + "\"";
    if (o.replication_factor) body += ",\"replication_factor\":" + std::to_string(*o.replication_factor);
    body += "}";
    if (!name_ok(rules::check_topic_name(o.name), err)) return 2;
    admin_options to = o;
    if (auto c = controller_address(o.brokers)) to.brokers = *c;
    return request(to, "POST", "/api/v1/topics", body, 201, nullptr, out, err,
                   o.if_not_exists ? "topic_exists" : nullptr);
}

int admin_alter_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!name_ok(rules::check_topic_name(o.name), err)) return 2;
    admin_options to = o;
    if (auto c = controller_address(o.brokers)) to.brokers = *c;
    return request(to, "POST", "/api/v1/topics/" + o.name + "/partitions",
                   "{\"partitions\":" + std::to_string(o.partitions) + "}", 200, nullptr, out, err);
}

int admin_elect_leaders(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!o.topic.empty() && !name_ok(rules::check_topic_name(o.topic), err)) return 2;
    admin_options to = o;
    if (auto c = controller_address(o.brokers)) to.brokers = *c;
    return request(to, "POST", "/api/v1/cluster/elect-leaders", o.topic.empty() ? "" : "{\"topic\":\"" + o.topic + "\"}",
                   200, "elected", out, err);
}

int admin_list_topics(const admin_options& o, std::ostream& out, std::ostream& err) {
    return request(o, "GET", "/api/v1/topics", "", 200, "topics", out, err);
}

int admin_describe_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!name_ok(rules::check_topic_name(o.name), err)) return 2;
    return request(o, "GET", "/api/v1/topics/" + o.name, "", 200, nullptr, out, err);
}

int admin_delete_topic(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!name_ok(rules::check_topic_name(o.name), err)) return 2;
    admin_options to = o;
    if (auto c = controller_address(o.brokers)) to.brokers = *c;
    return request(to, "DELETE", "/api/v1/topics/" + o.name, "", 200, nullptr, out, err);
}

int admin_metadata(const admin_options& o, std::ostream& out, std::ostream& err) {
    return request(o, "GET", "/api/v1/metadata", "", 200, nullptr, out, err);
}

int admin_describe_cluster(const admin_options& o, std::ostream& out, std::ostream& err) {
    auto a = admin_request(o.brokers, "GET", "/api/v1/metadata", "", 200, err);
    if (!a.body) return a.exit_code;
    const auto& d = *a.body;
    if (!d.HasMember("cluster") || !d["cluster"].IsObject()) {
        err << "gafka-admin: error: the broker at " << o.brokers
            << " is not in a cluster (it runs standalone: gafka-broker --cluster etcd://...)\n";
        return 1;
    }
    out << json_line(d["cluster"]) << std::flush;
    return 0;
}

int admin_promote(const admin_options& o, std::ostream& out, std::ostream& err) {
    auto c = broker_client::connect(o.brokers);
    if (!c.ok()) {
        err << "gafka-admin: error: " << c.error().message() << "\n";
        return 2;
    }
    // Any broker that answers knows the target: a follower lists itself and
    // its leader, a leader itself and its followers.
    if (auto s = (*c)->refresh_metadata(); !s.ok()) {
        err << "gafka-admin: error: " << s.message() << "\n";
        return 1;
    }
    auto target = (*c)->metadata().broker(o.broker_id);
    if (!target) {
        err << "gafka-admin: error: no broker " << o.broker_id << " in the cluster metadata\n";
        return 1;
    }
    client::http_connection conn(target->host, target->port);
    auto r = conn.request("POST", "/api/v1/brokers/" + std::to_string(o.broker_id) + "/promote", "", "",
                          std::chrono::seconds(30));
    if (!r.ok()) {
        err << "gafka-admin: error: " << r.error().message() << "\n";
        return 1;
    }
    if (r->status != 200) {
        err << "gafka-admin: error: " << client::describe_error(*r) << "\n";
        return 1;
    }
    out << r->body << std::flush;
    return 0;
}

int admin_partition_for(const admin_options& o, std::ostream& out, std::ostream& err) {
    if (!name_ok(rules::check_topic_name(o.topic), err)) return 2;
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
    w.Int(rules::partition_for_key(o.key, *n));
    w.Key("partitions");
    w.Int(*n);
    w.EndObject();
    out << buf.GetString() << "\n" << std::flush;
    return 0;
}

}  // namespace gafka::tools
