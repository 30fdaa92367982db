// Consumer groups over HTTP: group consume (the original design's
// consume?group_id=&consumer_id=), heartbeat, leave, commit, status, list.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <cctype>
#include <chrono>

#include <rapidjson/document.h>

#include "gafka/broker/fetch_path.h"
#include "gafka/broker/group_directory.h"
#include "gafka/http/context.h"
#include "gafka/http/fetch.h"
#include "gafka/http/group_lag.h"
#include "gafka/http/json_writer.h"
#include "gafka/rules/names.h"
#include "gafka/util/clock.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace {

std::optional<api_error> check_ids(const std::string& group, const std::string& consumer) {
    if (auto s = rules::check_group_id(group); !s.ok()) return api_error::invalid("invalid_group", s.message());
    if (auto s = rules::check_consumer_id(consumer); !s.ok())
        return api_error::invalid("invalid_consumer", s.message());
    return std::nullopt;
}

void write_assignment(json_writer& out, const std::vector<broker::topic_partition>& tps) {
    auto& w = out.w();
    w.StartArray();
    for (const auto& tp : tps) {
        w.StartObject();
        out.key("topic");
        out.str(tp.topic);
        out.key("partition");
        w.Int(tp.partition);
        w.EndObject();
    }
    w.EndArray();
}

// The optional assignment strategy a member asks for ("roundrobin", "range").
std::optional<api_error> parse_assignor(const std::optional<std::string>& name,
                                        std::optional<broker::assignment_strategy>& out) {
    if (!name) return std::nullopt;
    out = broker::parse_assignment_strategy(*name);
    if (!out) return api_error::invalid("invalid_assignor", "assignor must be roundrobin or range");
    return std::nullopt;
}

// The session_id a member's call may carry: the client process making it,
// which a newer process with the same consumer id fences
// (group_coordinator.h). Empty when not given.
std::optional<api_error> session_of(const target& t, std::string& out) {
    out = t.get("session_id").value_or("");
    if (!out.empty())
        if (auto s = rules::check_consumer_id(out); !s.ok())
            return api_error::invalid("invalid_session", "session_id: " + s.message());
    return std::nullopt;
}

std::optional<api_error> session_of(const request& req, std::string& out) {
    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    if (!t.ok()) return api_error::bad_request(t.error().message());
    return session_of(*t, out);
}

// A join refused: another strategy, or a session timeout out of bounds.
api_error join_error(const status& s) {
    if (s.code() == status_code::conflict) return {beast_http::status::conflict, "inconsistent_assignor", s.message()};
    return api_error::from_status(s);
}

api_error conflict(const std::string& message) {
    return {beast_http::status::conflict, "not_owner", message};
}

// A 409 that tells the member where it stands now: the group's generation
// and what the member owns.
api_error conflict_with_assignment(const std::string& message, server_context& ctx, const std::string& group,
                                   const std::string& consumer) {
    auto e = conflict(message);
    auto v = ctx.groups.describe(group);
    json_writer out;
    std::vector<broker::topic_partition> owned;
    if (v)
        for (const auto& m : v->members)
            if (m.consumer_id == consumer) owned = m.assignment;
    write_assignment(out, owned);
    auto assignment = out.take();
    assignment.pop_back();  // the newline
    e.details_json = "\"generation\":" + std::to_string(v ? v->generation : 0) + ",\"assignment\":" + assignment;
    return e;
}


// Opens the answer object with what a member is told after a join or
// heartbeat; the caller adds fields and closes it.
void write_membership(json_writer& out, const std::string& group, const std::string& consumer,
                      const broker::membership& m) {
    out.w().StartObject();
    out.key("group_id");
    out.str(group);
    out.key("consumer_id");
    out.str(consumer);
    out.key("generation");
    out.w().Int(m.generation);
    out.key("assignment");
    write_assignment(out, m.assignment);
}

}  // namespace

asio::awaitable<response> handle_group_consume(const request& req, server_context& ctx, const target& t) {
    auto group = t.get("group_id").value_or(""), consumer = t.get("consumer_id").value_or("");
    if (auto e = check_ids(group, consumer)) co_return error_response(req, *e);
    auto topic_name = *t.get("topic");
    auto incarnation = ctx.groups.topic_incarnation(topic_name);  // before the lookup: see remember_delivered
    auto topic = ctx.topics.find(topic_name);
    if (!topic) co_return error_response(req, api_error::topic_not_served(ctx.topics, topic_name));
    fetch_params fp;
    if (auto e = parse_fetch_params(t, fp)) co_return error_response(req, *e);
    std::optional<broker::assignment_strategy> strategy;
    if (auto e = parse_assignor(t.get("assignor"), strategy)) co_return error_response(req, *e);

    // The previous batch counts as processed: commit it before reading on
    // (unless this is another client process reusing the member id).
    std::string session;
    if (auto e = session_of(t, session)) co_return error_response(req, *e);
    if (auto s = ctx.groups.commit_delivered(group, consumer, session); !s.ok())
        co_return error_response(req, api_error::from_status(s));

    auto member = ctx.groups.heartbeat(group, consumer, topic_name, 0, util::steady_clock_ms(), /*fetching=*/true,
                                       strategy, session);
    if (!member.ok()) co_return error_response(req, join_error(member.error()));
    std::vector<broker::poll_target> owned;
    std::vector<broker::topic_partition> pending;  // ours, still being handed over
    for (const auto& tp : member->assignment) {
        if (tp.topic != topic_name || tp.partition >= static_cast<std::int32_t>(topic->partitions.size())) continue;
        if (ctx.groups.revoking(group, tp, util::steady_clock_ms())) {
            pending.push_back(tp);
            continue;
        }
        auto& p = *topic->partitions[static_cast<std::size_t>(tp.partition)];
        auto pos = ctx.groups.committed(group, tp).value_or(p.log().log_start_offset());
        pos = std::clamp(pos, p.log().log_start_offset(), p.log().log_end_offset());
        owned.push_back({&p, pos});
    }

    auto deadline = std::chrono::steady_clock::now() + fp.timeout;
    std::string records;
    std::int64_t count = 0;
    std::int64_t bytes = 0;
    std::map<broker::topic_partition, log::offset_t> delivered;
    broker::fetch_wait waiter(ctx.core, deadline);
    for (;;) {
        for (const auto& o : owned) {
            if (count >= fp.count) break;
            auto r = read_records(*o.partition, topic_name, o.offset, fp.count - count, records, count > 0);
            if (!r.ok() || r->count == 0) continue;
            count += r->count;
            bytes += r->bytes;
            delivered[{topic_name, o.partition->id()}] = r->next_offset;
        }
        if (count > 0 || owned.empty()) break;
        // Wait in slices: a waiting fetch keeps its member alive, and a
        // rebalance meanwhile ends the wait so the member learns of it.
        if (!co_await waiter.wait(owned, std::chrono::steady_clock::now() + std::chrono::seconds(1)))
            break;  // the deadline passed, or over --max-long-polls
        auto generation = ctx.groups.touch(group, consumer, util::steady_clock_ms(), session);
        if (!generation || *generation != member->generation) break;
    }
    // Fenced meanwhile: a newer process reads these records, not this one.
    if (auto s = ctx.groups.remember_delivered(group, consumer, delivered, session, incarnation); !s.ok())
        co_return error_response(req, api_error::from_status(s));
    topic->records_out += count;
    topic->bytes_out += bytes;

    json_writer head;
    auto& w = head.w();
    write_membership(head, group, consumer, *member);
    head.key("pending");
    write_assignment(head, pending);
    head.key("records");
    w.StartArray();
    w.EndArray();
    w.EndObject();
    auto body = head.take();
    body.insert(body.size() - 3, records);  // into the empty "records":[] that closes the object
    co_return json_response(req, beast_http::status::ok, std::move(body));
}

asio::awaitable<response> handle_heartbeat(const request& req, server_context& ctx, const path_params& p) {
    const auto& group = p.at(0);
    const auto& consumer = p.at(1);
    if (auto e = check_ids(group, consumer)) co_return error_response(req, *e);
    std::string session;
    if (auto e = session_of(req, session)) co_return error_response(req, *e);
    std::string topic;
    std::int64_t session_timeout_ms = 0;
    std::optional<broker::assignment_strategy> strategy;
    if (!req.body().empty()) {
        rapidjson::Document d;
        d.Parse<rapidjson::kParseIterativeFlag>(req.body().data(), req.body().size());
        if (d.HasParseError() || !d.IsObject())
            co_return error_response(req, api_error::invalid("invalid_json", "the body must be a JSON object"));
        if (d.HasMember("topic")) {
            if (!d["topic"].IsString()) co_return error_response(req, api_error::bad_request("'topic' must be a string"));
            topic = d["topic"].GetString();
            if (!ctx.topics.find(topic)) co_return error_response(req, api_error::topic_not_served(ctx.topics, topic));
        }
        if (d.HasMember("session_timeout_ms")) {
            if (!d["session_timeout_ms"].IsInt64())
                co_return error_response(req, api_error::bad_request("'session_timeout_ms' must be an integer"));
            session_timeout_ms = d["session_timeout_ms"].GetInt64();
        }
        if (d.HasMember("assignor")) {
            if (!d["assignor"].IsString())
                co_return error_response(req, api_error::bad_request("'assignor' must be a string"));
            if (auto e = parse_assignor(std::string(d["assignor"].GetString()), strategy))
                co_return error_response(req, *e);
        }
    }
    auto m = ctx.groups.heartbeat(group, consumer, topic, session_timeout_ms, util::steady_clock_ms(), false, strategy,
                                  session);
    if (!m.ok()) co_return error_response(req, join_error(m.error()));
    json_writer out;
    write_membership(out, group, consumer, *m);
    out.w().EndObject();
    co_return json_response(req, beast_http::status::ok, out.take());
}

response handle_leave(const request& req, server_context& ctx, const path_params& p) {
    if (auto e = check_ids(p.at(0), p.at(1))) return error_response(req, *e);
    std::string session;
    if (auto e = session_of(req, session)) return error_response(req, *e);
    auto s = ctx.groups.leave(p.at(0), p.at(1), util::steady_clock_ms(), session);
    if (s.code() == status_code::not_found)
        return error_response(req, {beast_http::status::not_found, "unknown_member", s.message(), {}});
    if (!s.ok()) return error_response(req, api_error::from_status(s));
    return json_response(req, beast_http::status::ok, "{\"left\":true}\n");
}

asio::awaitable<response> handle_commit(const request& req, server_context& ctx, const path_params& p) {
    const auto& group = p.at(0);
    if (auto s = rules::check_group_id(group); !s.ok())
        co_return error_response(req, api_error::invalid("invalid_group", s.message()));
    std::string session;
    if (auto e = session_of(req, session)) co_return error_response(req, *e);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseIterativeFlag>(req.body().data(), req.body().size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("offsets") || !d["offsets"].IsArray())
        co_return error_response(req, api_error::invalid("invalid_json",
                                                         "expected {\"offsets\":[{\"topic\",\"partition\",\"offset\"}]}"));
    std::optional<std::string> consumer;
    if (d.HasMember("consumer_id")) {
        if (!d["consumer_id"].IsString()) co_return error_response(req, api_error::bad_request("'consumer_id' must be a string"));
        consumer = d["consumer_id"].GetString();
    }
    broker::generation_t generation = -1;
    if (d.HasMember("generation")) {
        if (!d["generation"].IsInt()) co_return error_response(req, api_error::bad_request("'generation' must be an integer"));
        generation = d["generation"].GetInt();
    }
    std::map<broker::topic_partition, log::offset_t> offsets;
    for (const auto& o : d["offsets"].GetArray()) {
        if (!o.IsObject() || !o.HasMember("topic") || !o["topic"].IsString() || !o.HasMember("partition") ||
            !o["partition"].IsInt() || !o.HasMember("offset") || !o["offset"].IsInt64() || o["offset"].GetInt64() < 0)
            co_return error_response(req, api_error::bad_request("each offset needs topic, partition and offset >= 0"));
        broker::topic_partition tp{o["topic"].GetString(), o["partition"].GetInt()};
        auto topic = ctx.topics.find(tp.topic);
        if (!topic) co_return error_response(req, api_error::topic_not_served(ctx.topics, tp.topic));
        if (tp.partition < 0 || tp.partition >= static_cast<std::int32_t>(topic->partitions.size()))
            co_return error_response(req, api_error::invalid("unknown_partition", "no such partition"));
        auto offset = o["offset"].GetInt64();
        if (auto s = broker::check_commit_offset(*topic->partitions[static_cast<std::size_t>(tp.partition)], offset);
            !s.ok())
            co_return error_response(req, api_error::from_status(s));
        if (consumer)
            if (auto s = ctx.groups.check_owner(group, *consumer, generation, tp, session); !s.ok())
                co_return error_response(req, s.code() == status_code::fenced
                                                  ? api_error::from_status(s)
                                                  : conflict_with_assignment(s.message(), ctx, group, *consumer));
        offsets[tp] = offset;
    }
    // Without a consumer_id this is an admin reset, refused while members run.
    status s;
    if (consumer)
        for (const auto& [tp, off] : offsets)
            if (s = ctx.groups.commit(group, tp, off); !s.ok()) break;
    if (!consumer) s = ctx.groups.reset(group, offsets);
    if (s.code() == status_code::conflict) co_return error_response(req, conflict(s.message()));
    if (!s.ok()) co_return error_response(req, api_error::from_status(s));
    auto through = ctx.offsets.log_end();
    if (auto synced = co_await ctx.offsets.wait_committed(through); !synced.ok())
        co_return error_response(req, api_error::from_status(synced));
    co_return json_response(req, beast_http::status::ok,
                            "{\"group_id\":\"" + group + "\",\"committed\":" + std::to_string(offsets.size()) + "}\n");
}

namespace {

// A Kafka group's state as the status names states ("PreparingRebalance": "preparing_rebalance").
std::string snake_case(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '_';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// A Kafka group's members: their ids, the leader marked, a static
// member's instance id, and the client id and host each joined from
// (their assignments are the members' own, opaque to the broker).
void write_kafka_members(json_writer& out, const broker::classic_group_view& k) {
    auto& w = out.w();
    w.StartArray();
    for (const auto& m : k.members) {
        w.StartObject();
        out.key("consumer_id");
        out.str(m.member_id);
        out.key("leader");
        w.Bool(m.member_id == k.leader);
        out.key("instance_id");
        if (m.instance_id.empty()) w.Null();
        else out.str(m.instance_id);
        out.key("client_id");
        out.str(m.client_id);
        out.key("client_host");
        out.str(m.client_host);
        w.EndObject();
    }
    w.EndArray();
}

void write_members(json_writer& out, const broker::group_view& v, std::int64_t now) {
    auto& w = out.w();
    w.StartArray();
    for (const auto& m : v.members) {
        w.StartObject();
        out.key("consumer_id");
        out.str(m.consumer_id);
        out.key("last_heartbeat_ms_ago");
        w.Int64(now - m.last_heartbeat_ms);
        out.key("session_timeout_ms");
        w.Int64(m.session_timeout_ms);
        out.key("assignment");
        write_assignment(out, m.assignment);
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace

response handle_group_status(const request& req, server_context& ctx, const path_params& p) {
    const auto& group = p.at(0);
    auto v = ctx.groups.describe(group);
    auto kafka = broker::kafka_members_of(ctx.kafka_groups, group);
    if (!v && !kafka)
        return error_response(req, {beast_http::status::not_found, "unknown_group", "unknown group '" + group + "'", {}});
    if (!v) v = broker::group_view{group, 0, {}, {}, {}};
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("group_id");
    out.str(group);
    out.key("protocol");
    out.str(kafka ? "kafka" : "http");
    out.key("generation");
    w.Int(kafka ? kafka->generation : v->generation);
    out.key("state");
    out.str(kafka ? snake_case(kafka->state) : v->members.empty() ? "empty" : "stable");
    out.key("assignor");
    out.str(kafka ? kafka->protocol_name : broker::to_string(v->strategy));
    out.key("members");
    if (kafka) write_kafka_members(out, *kafka);
    else write_members(out, *v, util::steady_clock_ms());
    // Every partition the group owns or has committed, with its lag.
    std::int64_t total_lag = 0;
    out.key("partitions");
    w.StartArray();
    for (const auto& l : group_lags(ctx.topics, *v)) {
        total_lag += l.lag;
        w.StartObject();
        out.key("topic");
        out.str(l.tp.topic);
        out.key("partition");
        w.Int(l.tp.partition);
        out.key("owner");
        l.owner ? out.str(*l.owner) : (void)w.Null();
        out.key("committed_offset");
        l.committed ? (void)w.Int64(*l.committed) : (void)w.Null();
        out.key("log_end_offset");
        w.Int64(l.log_end);
        out.key("lag");
        w.Int64(l.lag);
        w.EndObject();
    }
    w.EndArray();
    out.key("total_lag");
    w.Int64(total_lag);
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

response handle_list_groups(const request& req, server_context& ctx) {
    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("groups");
    w.StartArray();
    for (const auto& g : broker::list_groups(ctx.groups, ctx.kafka_groups)) {
        w.StartObject();
        out.key("group_id");
        out.str(g.group_id);
        out.key("protocol");
        out.str(g.kafka ? "kafka" : "http");
        out.key("generation");
        w.Int64(g.generation);
        out.key("members");
        w.Uint64(g.members);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

response handle_delete_group(const request& req, server_context& ctx, const path_params& p) {
    auto s = ctx.groups.remove_group(p.at(0));
    if (s.code() == status_code::not_found)
        return error_response(req, {beast_http::status::not_found, "unknown_group", s.message(), {}});
    if (!s.ok()) return error_response(req, s.code() == status_code::conflict ? conflict(s.message()) : api_error::from_status(s));
    return json_response(req, beast_http::status::ok, "{\"deleted\":\"" + p.at(0) + "\"}\n");
}

}  // namespace gafka::http
