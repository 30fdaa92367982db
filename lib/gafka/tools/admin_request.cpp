#include "gafka/tools/admin_request.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/client/broker_client.h"

namespace gafka::tools {

admin_answer admin_request(const std::string& brokers, const std::string& method, const std::string& target,
                           const std::string& body, unsigned ok_status, std::ostream& err,
                           const char* tolerated_code) {
    auto c = client::broker_client::connect(brokers);
    if (!c.ok()) {
        err << "gafka-admin: error: " << c.error().message() << "\n";
        return {2, std::nullopt};
    }
    // Group calls go to the groups' coordinator (in a cluster, the leader of the offsets partition).
    auto r = target.starts_with("/api/v1/consumer-groups")
                 ? (*c)->call_coordinator(method, target, body, body.empty() ? "" : "application/json")
                 : (*c)->call(method, target, body, body.empty() ? "" : "application/json");
    if (!r.ok()) {
        err << "gafka-admin: error: " << r.error().message() << "\n";
        return {1, std::nullopt};
    }
    if (r->status != ok_status) {
        if (tolerated_code && client::error_code(*r) == tolerated_code) return {0, std::nullopt};
        err << "gafka-admin: error: " << client::describe_error(*r) << "\n";
        return {1, std::nullopt};
    }
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError() || !d.IsObject()) {
        err << "gafka-admin: error: malformed answer from the broker\n";
        return {1, std::nullopt};
    }
    return {0, std::move(d)};
}

std::string json_line(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

bool name_ok(const status& check, std::ostream& err) {
    if (!check.ok()) err << "gafka-admin: error: " << check.message() << "\n";
    return check.ok();
}

}  // namespace gafka::tools
