#include "gafka/server/controller_forward.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gafka::server {
namespace {

// The answer's {"error":{"code","message"}}, or nothing.
std::pair<std::string, std::string> error_of(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"].IsObject()) return {};
    const auto& e = d["error"];
    auto text = [&](const char* k) {
        return e.HasMember(k) && e[k].IsString() ? std::string(e[k].GetString(), e[k].GetStringLength())
                                                 : std::string();
    };
    return {text("code"), text("message")};
}

}  // namespace

result<util::host_port> controller_address(const cluster::cluster_view& view) {
    if (view.controller_id < 0) return status::unavailable("the cluster has no controller at the moment");
    for (const auto& b : view.brokers)
        if (b.id == view.controller_id && b.live) return util::host_port{b.host, b.port};
    return status::unavailable("the controller (broker " + std::to_string(view.controller_id) +
                               ") is not registered at the moment");
}

std::string forward_body(const std::string& topic, std::int32_t partitions) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("name");
    w.String(topic.data(), static_cast<rapidjson::SizeType>(topic.size()));
    w.Key("partitions");
    w.Int(partitions);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

status forward_outcome(const client::http_reply& reply) {
    if (reply.status == 201 || reply.status == 200) return {};
    auto [code, message] = error_of(reply.body);
    if (reply.status == 409 && code == "topic_exists") return {};
    auto said = "the controller answered " + std::to_string(reply.status) + (code.empty() ? "" : " " + code) +
                (message.empty() ? "" : ": " + message);
    if (reply.status == 421) return status(status_code::not_leader, said);
    if (reply.status == 400 || reply.status == 404) return status::invalid_argument(said);
    return status::unavailable(said);
}

status forward_create_topic(const util::host_port& controller, const std::string& topic, std::int32_t partitions,
                            const forward_options& o) {
    client::http_connection c(controller.host, controller.port, o.tls);
    c.set_auth_token(o.auth_token);
    auto reply = c.request("POST", "/api/v1/topics", forward_body(topic, partitions), "application/json", o.timeout);
    if (!reply.ok())
        return status::unavailable("cannot reach the controller at " + controller.host + ":" +
                                   std::to_string(controller.port) + ": " + reply.error().message());
    return forward_outcome(*reply);
}

}  // namespace gafka::server
