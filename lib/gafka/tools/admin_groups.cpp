#include "gafka/tools/admin_groups.h"

#include <algorithm>
#include <map>
#include <ostream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/broker/names.h"
#include "gafka/client/broker_client.h"

namespace gafka::tools {
namespace {

using client::broker_client;

std::string to_line(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

// One request; the parsed answer when it has `ok_status`, else nothing
// (the error is reported on `err`).
std::optional<rapidjson::Document> ask(const std::string& brokers, const std::string& method,
                                       const std::string& target, const std::string& body, std::ostream& err) {
    auto c = broker_client::connect(brokers);
    if (!c.ok()) {
        err << "gafka-admin: error: " << c.error().message() << "\n";
        return std::nullopt;
    }
    auto r = (*c)->call(method, target, body, body.empty() ? "" : "application/json");
    if (!r.ok()) {
        err << "gafka-admin: error: " << r.error().message() << "\n";
        return std::nullopt;
    }
    if (r->status != 200) {
        err << "gafka-admin: error: " << client::describe_error(*r) << "\n";
        return std::nullopt;
    }
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError() || !d.IsObject()) {
        err << "gafka-admin: error: malformed answer from the broker\n";
        return std::nullopt;
    }
    return d;
}

// Names go into URL paths and JSON unescaped: only legal ones get that far.
bool names_ok(const std::optional<std::string>& group, const std::optional<std::string>& topic, std::ostream& err) {
    status s;
    if (group) s = broker::check_group_id(*group);
    if (s.ok() && topic) s = broker::check_topic_name(*topic);
    if (!s.ok()) err << "gafka-admin: error: " << s.message() << "\n";
    return s.ok();
}

}  // namespace

int admin_list_groups(const std::string& brokers, std::ostream& out, std::ostream& err) {
    auto d = ask(brokers, "GET", "/api/v1/consumer-groups", "", err);
    if (!d) return 1;
    for (const auto& g : (*d)["groups"].GetArray()) out << to_line(g);
    out << std::flush;
    return 0;
}

int admin_describe_group(const std::string& brokers, const std::string& group, std::ostream& out,
                         std::ostream& err) {
    if (!names_ok(group, std::nullopt, err)) return 2;
    auto d = ask(brokers, "GET", "/api/v1/consumer-groups/" + group + "/status", "", err);
    if (!d) return 1;
    out << to_line(*d) << std::flush;
    return 0;
}

int admin_delete_group(const std::string& brokers, const std::string& group, std::ostream& out,
                       std::ostream& err) {
    if (!names_ok(group, std::nullopt, err)) return 2;
    auto d = ask(brokers, "DELETE", "/api/v1/consumer-groups/" + group, "", err);
    if (!d) return 1;
    out << to_line(*d) << std::flush;
    return 0;
}

int admin_reset_offsets(const reset_options& o, std::ostream& out, std::ostream& err) {
    if (!names_ok(o.group, o.topic, err)) return 2;
    auto topic = ask(o.brokers, "GET", "/api/v1/topics/" + o.topic, "", err);
    if (!topic) return 1;
    // What the group has committed now (a group with no commits yet is fine).
    std::map<std::int32_t, std::int64_t> current;
    {
        auto c = broker_client::connect(o.brokers);
        if (!c.ok()) return 1;
        auto r = (*c)->call("GET", "/api/v1/consumer-groups/" + o.group + "/status");
        if (!r.ok()) {
            err << "gafka-admin: error: " << r.error().message() << "\n";
            return 1;
        }
        if (r->status != 200 && r->status != 404) {  // 404: the group has committed nothing yet
            err << "gafka-admin: error: " << client::describe_error(*r) << "\n";
            return 1;
        }
        if (r->status == 200) {
            rapidjson::Document s;
            s.Parse(r->body.data(), r->body.size());
            if (!s.HasParseError() && s.IsObject() && s.HasMember("partitions"))
                for (const auto& p : s["partitions"].GetArray())
                    if (p["topic"].GetString() == o.topic && p["committed_offset"].IsInt64())
                        current[p["partition"].GetInt()] = p["committed_offset"].GetInt64();
        }
    }
    std::string plan, offsets;
    bool any = false;
    for (const auto& p : (*topic)["partition_info"].GetArray()) {
        auto id = p["partition"].GetInt();
        if (o.partition && *o.partition != id) continue;
        auto start = p["log_start_offset"].GetInt64(), end = p["high_watermark"].GetInt64();
        auto target = o.to_earliest ? start : o.to_latest ? end : std::clamp(*o.to_offset, start, end);
        plan += "{\"group\":\"" + o.group + "\",\"topic\":\"" + o.topic + "\",\"partition\":" + std::to_string(id) +
                ",\"current_offset\":" + (current.count(id) ? std::to_string(current[id]) : "null") +
                ",\"new_offset\":" + std::to_string(target) + "}\n";
        offsets += std::string(any ? "," : "") + "{\"topic\":\"" + o.topic + "\",\"partition\":" +
                   std::to_string(id) + ",\"offset\":" + std::to_string(target) + "}";
        any = true;
    }
    if (!any) {
        err << "gafka-admin: error: partition " << *o.partition << " does not exist in '" << o.topic << "'\n";
        return 1;
    }
    if (!o.dry_run && !ask(o.brokers, "POST", "/api/v1/consumer-groups/" + o.group + "/offsets",
                           "{\"offsets\":[" + offsets + "]}", err))
        return 1;
    out << plan << std::flush;
    return 0;
}

}  // namespace gafka::tools
