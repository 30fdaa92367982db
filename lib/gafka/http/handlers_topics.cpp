// Topic admin: GET/POST /api/v1/topics, GET/DELETE /api/v1/topics/{name},
// POST /api/v1/topics/{name}/partitions (add partitions),
// GET /api/v1/topics/{name}/offsets?time=T (Kafka's ListOffsets by time).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <rapidjson/document.h>

#include "gafka/broker/topic_admin.h"
#include "gafka/http/context.h"
#include "gafka/http/json_writer.h"
#include "gafka/http/query.h"
#include "gafka/rules/names.h"
#include "gafka/util/await_status.h"
#include "gafka/util/clock.h"
#include "gafka/util/time_text.h"

namespace gafka::http {
namespace {

void ids(json_writer& out, const char* key, const std::vector<std::int32_t>& v) {
    out.key(key);
    out.w().StartArray();
    for (auto id : v) out.w().Int(id);
    out.w().EndArray();
}

// What the controller recorded of a partition (with --cluster): not yet who
// serves it, which is still this broker.
void write_assignment(json_writer& out, const cluster::partition_view& p) {
    out.key("cluster");
    out.w().StartObject();
    out.key("leader");
    out.w().Int(p.leader);
    out.key("leader_epoch");
    out.w().Int(p.leader_epoch);
    ids(out, "replicas", p.replicas);
    ids(out, "isr", p.isr);
    out.w().EndObject();
}

void write_topic(json_writer& out, const broker::topic& t, bool with_partitions, std::int32_t broker_id,
                 const cluster::cluster_view* cluster = nullptr) {
    auto& w = out.w();
    w.StartObject();
    out.key("name");
    out.str(t.name);
    out.key("partitions");
    w.Int(static_cast<int>(t.partitions.size()));
    out.key("retention_bytes");
    w.Int64(t.config.retention_bytes);
    out.key("retention_ms");
    w.Int64(t.config.retention_ms);
    out.key("created_ms");
    w.Int64(t.config.created_ms);
    out.key("compression");
    out.str(log::to_string(t.config.compression));
    if (with_partitions) {
        out.key("partition_info");
        w.StartArray();
        for (const auto& p : t.partitions) {
            w.StartObject();
            out.key("partition");
            w.Int(p->id());
            out.key("leader");
            w.Int(broker_id);
            out.key("log_start_offset");
            w.Int64(p->log().log_start_offset());
            out.key("log_end_offset");
            w.Int64(p->log().log_end_offset());
            out.key("high_watermark");
            w.Int64(p->visible_end());
            out.key("size_bytes");
            w.Uint64(p->log().size_bytes());
            out.key("segments");
            w.Int64(p->log().segment_count());
            if (auto c = p->log().corrupt_offset()) {
                out.key("corrupt_at_offset");
                w.Int64(*c);
            }
            if (cluster)
                for (const auto& a : cluster->partitions)
                    if (a.topic == t.name && a.partition == p->id()) write_assignment(out, a);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
}

// With --cluster, the controller records the topic's assignment and config
// in etcd before the topic is created here (docs/cluster.md); a standalone broker
// takes replication factor 1 only. The refusal, if any.
boost::asio::awaitable<std::optional<response>> record_in_cluster(const request& req, server_context& ctx,
                                                                 const std::string& name,
                                                                 const broker::topic_config& config,
                                                                 const rapidjson::Document& d) {
    std::int32_t rf = 0;
    if (d.HasMember("replication_factor")) {
        if (!d["replication_factor"].IsInt() || d["replication_factor"].GetInt() < 1)
            co_return error_response(req, api_error::invalid("invalid_replication_factor",
                                                             "'replication_factor' must be an integer >= 1"));
        rf = d["replication_factor"].GetInt();
    }
    if (!ctx.create_in_cluster) {
        if (rf > 1)
            co_return error_response(req, api_error::invalid("invalid_replication_factor",
                                                             "a standalone broker has replication factor 1"));
        co_return std::nullopt;
    }
    if (ctx.topics.find(name) || ctx.topics.damaged(name))
        co_return error_response(req, {beast_http::status::conflict, "topic_exists", "topic '" + name + "' exists"});
    auto s = co_await ctx.create_in_cluster(name, config, rf);
    if (s.ok()) co_return std::nullopt;
    api_error e = api_error::from_status(s);
    if (s.code() == status_code::invalid_argument) e.code = "invalid_replication_factor";
    if (s.code() == status_code::already_exists) e.code = "topic_exists";
    co_return error_response(req, cluster_refusal(ctx, e, s));
}

}  // namespace

api_error cluster_refusal(server_context& ctx, api_error e, const status& s) {
    if (s.code() != status_code::not_leader) return e;
    e.code = "not_controller";
    auto c = ctx.cluster();
    for (const auto& b : c.brokers)
        if (b.id == c.controller_id && b.live)
            e.details_json = "\"controller\":\"" + b.host + ":" + std::to_string(b.port) + "\"";
    return e;
}

response handle_list_topics(const request& req, server_context& ctx) {
    json_writer out;
    out.w().StartObject();
    out.key("topics");
    out.w().StartArray();
    for (const auto& t : ctx.topics.list()) write_topic(out, *t, false, ctx.self.id);
    out.w().EndArray();
    out.w().EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

boost::asio::awaitable<response> handle_create_topic(const request& req, server_context& ctx) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(req.body().data(), req.body().size());
    if (d.HasParseError() || !d.IsObject())
        co_return error_response(req, api_error::invalid("invalid_json", "the body must be a JSON object"));
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        std::string k(it->name.GetString(), it->name.GetStringLength());
        if (k != "name" && k != "partitions" && k != "retention_bytes" && k != "retention_ms" && k != "compression" &&
            k != "replication_factor")
            co_return error_response(req, api_error::bad_request("unknown field '" + k + "'"));
    }
    if (!d.HasMember("name") || !d["name"].IsString())
        co_return error_response(req, api_error::invalid("missing_topic", "'name' (a string) is required"));
    std::string name(d["name"].GetString(), d["name"].GetStringLength());
    if (auto s = rules::check_topic_name(name); !s.ok())
        co_return error_response(req, api_error::invalid("invalid_topic", s.message()));
    broker::topic_config config;
    config.partitions = ctx.core.default_partitions;
    if (d.HasMember("partitions")) {
        if (!d["partitions"].IsInt())
            co_return error_response(req, api_error::bad_request("'partitions' must be an integer"));
        config.partitions = d["partitions"].GetInt();
    }
    if (config.partitions < 1 || config.partitions > rules::max_partitions)
        co_return error_response(req, api_error::invalid("too_many_partitions",
                                                         "partitions must be between 1 and " +
                                                             std::to_string(rules::max_partitions)));
    for (auto [key, field] : {std::pair{"retention_bytes", &config.retention_bytes},
                              std::pair{"retention_ms", &config.retention_ms}}) {
        if (!d.HasMember(key)) continue;
        if (!d[key].IsInt64() || d[key].GetInt64() < -1)
            co_return error_response(req,
                                     api_error::bad_request(std::string("'") + key + "' must be an integer >= -1"));
        *field = d[key].GetInt64();
    }
    if (d.HasMember("compression")) {
        auto t = d["compression"].IsString() ? log::parse_compression_type(d["compression"].GetString()) : std::nullopt;
        if (!t)
            co_return error_response(req, api_error::invalid("invalid_compression", "'compression' must be one of " +
                                                                                       log::compression_type_list()));
        config.compression = *t;
    }
    if (auto refused = co_await record_in_cluster(req, ctx, name, config, d)) co_return *refused;
    auto created = ctx.topics.create(name, config);
    // In a cluster this broker's replicas may have created it meanwhile,
    // from the keys just recorded (server/cluster_replicas.h).
    if (!created.ok() && ctx.create_in_cluster && created.error().code() == status_code::already_exists)
        if (auto t = ctx.topics.find(name)) created = t;
    if (!created.ok()) {
        if (ctx.topics.damaged(name)) co_return error_response(req, api_error::topic_not_served(ctx.topics, name));
        auto e = api_error::from_status(created.error());
        if (created.error().code() == status_code::already_exists) e.code = "topic_exists";
        co_return error_response(req, e);
    }
    json_writer out;
    write_topic(out, **created, false, ctx.self.id);
    co_return json_response(req, beast_http::status::created, out.take());
}

response handle_describe_topic(const request& req, server_context& ctx, const std::string& name) {
    auto t = ctx.topics.find(name);
    if (!t) return error_response(req, api_error::topic_not_served(ctx.topics, name));
    json_writer out;
    std::optional<cluster::cluster_view> c;
    if (ctx.cluster) c = ctx.cluster();
    write_topic(out, *t, true, ctx.self.id, c ? &*c : nullptr);
    return json_response(req, beast_http::status::ok, out.take());
}

response handle_offsets_for_time(const request& req, server_context& ctx, const std::string& name) {
    auto t = ctx.topics.find(name);
    if (!t) return error_response(req, api_error::topic_not_served(ctx.topics, name));
    auto q = parse_target(std::string_view(req.target().data(), req.target().size()));
    if (!q.ok()) return error_response(req, api_error::bad_request(q.error().message()));
    auto text = q->get("time");
    if (!text) return error_response(req, api_error::invalid("invalid_time", "'time' is required"));
    auto when = util::parse_time(*text, util::wall_clock_ms());
    if (!when.ok()) return error_response(req, api_error::invalid("invalid_time", when.error().message()));
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("topic");
    out.str(name);
    out.key("time");
    w.Int64(*when);
    out.key("partitions");
    w.StartArray();
    for (const auto& p : t->partitions) {
        auto offset = p->log().offset_for_time(*when, p->visible_end());
        if (!offset.ok()) return error_response(req, api_error::from_status(offset.error()));
        w.StartObject();
        out.key("partition");
        w.Int(p->id());
        out.key("offset");
        w.Int64(*offset);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

boost::asio::awaitable<response> handle_delete_topic(const request& req, server_context& ctx,
                                                     const std::string& name) {
    auto s = co_await broker::delete_topic(ctx.topics, ctx.groups, ctx.offsets, name, ctx.delete_in_cluster);
    if (s.code() == status_code::not_found)
        co_return error_response(req, api_error::topic_not_served(ctx.topics, name));
    // In a cluster only the controller deletes: 421 not_controller naming it.
    if (!s.ok()) co_return error_response(req, cluster_refusal(ctx, api_error::from_status(s), s));
    co_return json_response(req, beast_http::status::ok, "{\"deleted\":\"" + name + "\"}\n");
}

boost::asio::awaitable<response> handle_add_partitions(const request& req, server_context& ctx,
                                                       const std::string& name) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(req.body().data(), req.body().size());
    if (d.HasParseError() || !d.IsObject())
        co_return error_response(req, api_error::invalid("invalid_json", "the body must be a JSON object"));
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it)
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()) != "partitions")
            co_return error_response(
                req, api_error::bad_request("unknown field '" + std::string(it->name.GetString()) + "'"));
    if (!d.HasMember("partitions") || !d["partitions"].IsInt())
        co_return error_response(req, api_error::bad_request("'partitions' (an integer) is required"));
    const std::int32_t partitions = d["partitions"].GetInt();
    if (partitions < 1 || partitions > rules::max_partitions)
        co_return error_response(req, api_error::invalid("too_many_partitions",
                                                         "partitions must be between 1 and " +
                                                             std::to_string(rules::max_partitions)));
    auto s = co_await broker::add_partitions(ctx.topics, ctx.add_partitions_in_cluster, name, partitions);
    if (s.code() == status_code::not_found)
        co_return error_response(req, api_error::topic_not_served(ctx.topics, name));
    if (!s.ok()) {
        auto e = api_error::from_status(s);
        if (s.code() == status_code::invalid_argument) e.code = "invalid_partitions";
        co_return error_response(req, cluster_refusal(ctx, e, s));
    }
    json_writer out;
    out.w().StartObject();
    out.key("name");
    out.str(name);
    out.key("partitions");
    out.w().Int(partitions);
    out.w().EndObject();
    co_return json_response(req, beast_http::status::ok, out.take());
}

}  // namespace gafka::http
