// Cluster and operations endpoints: /api/v1/metadata, /healthz, /metrics.
#include "gafka/http/context.h"
#include "gafka/http/json_writer.h"

namespace gafka::http {

response handle_metadata(const request& req, server_context& ctx) {
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("brokers");
    w.StartArray();
    w.StartObject();
    out.key("id");
    w.Int(ctx.self.id);
    out.key("host");
    out.str(ctx.self.host);
    out.key("port");
    w.Uint(ctx.self.port);
    w.EndObject();
    w.EndArray();
    out.key("controller_id");
    w.Int(ctx.self.id);
    out.key("topics");
    w.StartArray();
    for (const auto& t : ctx.topics.list()) {
        w.StartObject();
        out.key("name");
        out.str(t->name);
        out.key("partitions");
        w.StartArray();
        for (const auto& p : t->partitions) {
            w.StartObject();
            out.key("partition");
            w.Int(p->id());
            out.key("leader");
            w.Int(ctx.self.id);
            out.key("leader_epoch");
            w.Int(0);
            out.key("replicas");
            w.StartArray();
            w.Int(ctx.self.id);
            w.EndArray();
            out.key("isr");
            w.StartArray();
            w.Int(ctx.self.id);
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

response handle_healthz(const request& req, server_context& ctx) {
    return json_response(req, beast_http::status::ok,
                         "{\"status\":\"ok\",\"broker_id\":" + std::to_string(ctx.self.id) + "}\n");
}

response handle_metrics(const request& req, server_context& ctx) {
    std::string body;
    auto metric = [&](const char* name, const char* type, const char* help) {
        body += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    metric("gafka_requests_total", "counter", "HTTP requests received.");
    body += "gafka_requests_total " + std::to_string(ctx.requests.load()) + "\n";
    metric("gafka_open_connections", "gauge", "Open client connections.");
    body += "gafka_open_connections " + std::to_string(ctx.open_connections.load()) + "\n";
    metric("gafka_records_in_total", "counter", "Records appended by produce requests.");
    body += "gafka_records_in_total " + std::to_string(ctx.records_in.load()) + "\n";
    metric("gafka_records_out_total", "counter", "Records served to consumers.");
    body += "gafka_records_out_total " + std::to_string(ctx.records_out.load()) + "\n";
    metric("gafka_log_end_offset", "gauge", "One past the last record of a partition.");
    std::string hw;
    for (const auto& t : ctx.topics.list())
        for (const auto& p : t->partitions) {
            auto labels = "{topic=\"" + t->name + "\",partition=\"" + std::to_string(p->id()) + "\"}";
            body += "gafka_log_end_offset" + labels + " " + std::to_string(p->log().log_end_offset()) + "\n";
            hw += "gafka_high_watermark" + labels + " " + std::to_string(p->visible_end()) + "\n";
        }
    metric("gafka_high_watermark", "gauge", "One past the last record consumers may read.");
    body += hw;
    auto res = json_response(req, beast_http::status::ok, std::move(body));
    res.set(beast_http::field::content_type, "text/plain; version=0.0.4");
    return res;
}

}  // namespace gafka::http
