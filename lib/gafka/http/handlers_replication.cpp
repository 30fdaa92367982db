// Replication endpoints: POST /api/v1/replica/fetch (a follower's long-poll
// copy of every partition it follows here; see replication/fetch_protocol.h) and
// POST /api/v1/brokers/{id}/promote (gafka-admin promote). Also the gate
// that sends writes on a follower to the leader with a 421.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gafka/broker/long_poll.h"
#include "gafka/http/context.h"
#include "gafka/http/fetch.h"
#include "gafka/http/query.h"
#include "gafka/http/router.h"
#include "gafka/replication/fetch_protocol.h"
#include "gafka/util/await_status.h"
#include "gafka/util/clock.h"
#include "gafka/util/logging.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace {

constexpr std::size_t max_partition_bytes = 1 << 20;  // at least one batch, however large
constexpr std::size_t max_fetch_bytes = 16 << 20;

api_error not_leader(server_context& ctx) {
    auto leader = ctx.core.repl ? ctx.core.repl->leader() : std::nullopt;
    api_error e{beast_http::status::misdirected_request, "not_leader",
                "broker " + std::to_string(ctx.self.id) + " is a follower" +
                    (leader ? "; the leader is at " + leader->to_string() : std::string()),
                leader ? std::optional(leader->to_string()) : std::nullopt};
    if (leader && leader->id >= 0) e.details_json = "\"leader_id\":" + std::to_string(leader->id);
    return e;
}

// Changes whenever a topic is created or deleted on the leader (or its
// partition count changes), so a follower knows to mirror the list again.
std::string topics_version(const std::vector<std::shared_ptr<broker::topic>>& topics) {
    std::string all;
    for (const auto& t : topics) all += t->name + ":" + std::to_string(t->partitions.size()) + ";";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(all));
    return buf;
}

struct fetch_slot {
    const replication::fetch_partition_request* want;
    std::shared_ptr<broker::topic> topic;  // keeps the partition alive
    broker::partition* p = nullptr;
    replication::fetch_partition_response out;
};

}  // namespace

std::optional<response> refuse_on_follower(const request& req, server_context& ctx, const route_info& route,
                                           const target& t) {
    if (!ctx.core.repl || ctx.core.repl->is_leader()) return std::nullopt;
    if (route.pattern == "/api/v1/brokers/{id}/promote") return std::nullopt;
    if (route.method == "GET" && !is_group_route(route, t)) return std::nullopt;
    return error_response(req, not_leader(ctx));
}

std::optional<api_error> partition_not_led_here(const server_context& ctx, const broker::partition& p) {
    if (p.is_leader()) return std::nullopt;
    auto hint = p.leader_hint();  // none: no leader recorded yet
    std::optional<std::string> at;
    if (hint && !hint->second.empty()) at = hint->second;
    api_error e{beast_http::status::misdirected_request, "not_leader",
                "broker " + std::to_string(ctx.self.id) + " does not lead " + p.topic() + "/" + std::to_string(p.id()) +
                    (hint ? "; the leader is broker " + std::to_string(hint->first) : std::string()) +
                    (at ? " at " + *at : std::string()),
                at};
    if (hint) e.details_json = "\"leader_id\":" + std::to_string(hint->first);
    return e;
}

asio::awaitable<response> handle_replica_fetch(const request& req, server_context& ctx) {
    if (!ctx.core.repl || !ctx.core.repl->is_leader()) co_return error_response(req, not_leader(ctx));
    auto parsed = replication::parse_fetch_request(req.body());
    if (!parsed.ok()) co_return error_response(req, api_error::bad_request(parsed.error().message()));
    auto& fr = *parsed;
    if (fr.replica == ctx.self.id)
        co_return error_response(req, api_error::invalid("invalid_replica", "broker " + std::to_string(fr.replica) +
                                                                                " cannot follow itself"));
    if (fr.leader_epoch > ctx.core.repl->epoch()) {
        util::logger("replication")
            ->error("replica {} has seen leader epoch {}, this broker leads at {}: another broker was promoted; "
                    "stop this one (docs/operations.md)",
                    fr.replica, fr.leader_epoch, ctx.core.repl->epoch());
        co_return error_response(req, {beast_http::status::conflict, "fenced_leader",
                                       "this leader is at epoch " + std::to_string(ctx.core.repl->epoch()) +
                                           " but replica " + std::to_string(fr.replica) + " has seen epoch " +
                                           std::to_string(fr.leader_epoch),
                                       {}});
    }
    auto now = util::steady_clock_ms();
    if (auto s = ctx.core.repl->follower_fetched({fr.replica, fr.host, fr.port}, now); !s.ok())
        co_return error_response(req, api_error::from_status(s));

    std::vector<fetch_slot> slots;
    std::vector<broker::poll_target> targets;
    bool answer_now = fr.max_wait_ms == 0;
    for (const auto& want : fr.partitions) {
        fetch_slot s{&want, ctx.topics.find(want.topic), nullptr, {}};
        s.out.topic = want.topic;
        s.out.partition = want.partition;
        if (!s.topic || want.partition >= static_cast<std::int32_t>(s.topic->partitions.size())) {
            s.out.error = "unknown_topic";
            s.out.message = "no partition " + want.topic + "/" + std::to_string(want.partition) + " here";
            slots.push_back(std::move(s));
            continue;  // not waited on; answered with the others

        }
        // In a cluster: a copy of another life of the topic (deleted and
        // created again) is neither served to nor copied from (cluster/replica_roles.h).
        if (const auto here = s.topic->config.cluster_incarnation;
            want.incarnation > 0 && here > 0 && here != want.incarnation) {
            s.out.error = "other_incarnation";
            s.out.message = "this broker's copy of topic '" + want.topic + "' is of incarnation " + std::to_string(here) +
                            ", the follower's of " + std::to_string(want.incarnation);
            slots.push_back(std::move(s));
            continue;
        }
        auto& p = *s.topic->partitions[static_cast<std::size_t>(want.partition)];
        if (auto e = partition_not_led_here(ctx, p)) {  // in a cluster: its leader is another broker
            s.out.error = e->code;
            s.out.message = e->message;
            slots.push_back(std::move(s));
            continue;
        }
        s.p = &p;
        if (want.last_epoch != replication::no_epoch) {
            auto e = p.end_offset_for(want.last_epoch);
            if (e.epoch != want.last_epoch || e.end_offset < want.offset) s.out.diverging = e;
        }
        if (!s.out.diverging && (want.offset > p.log().log_end_offset() || want.offset < p.log().log_start_offset())) {
            s.out.error = "offset_out_of_range";
            s.out.message = "offset " + std::to_string(want.offset) + " is outside [" +
                            std::to_string(p.log().log_start_offset()) + ", " +
                            std::to_string(p.log().log_end_offset()) + "]";
        }
        // A divergence is answered at once; an error waits like no data, so
        // a follower that keeps asking for what is not here does not spin.
        if (s.out.diverging) answer_now = true;
        if (s.out.error.empty() && !s.out.diverging) {
            p.follower_fetched(fr.replica, want.offset, now);
            if (p.local_end() > want.offset) answer_now = true;
            targets.push_back({&p, want.offset, true});
        }
        slots.push_back(std::move(s));
    }
    if (!answer_now && !targets.empty())
        co_await broker::wait_for_any(targets, std::chrono::steady_clock::now() + std::chrono::milliseconds(fr.max_wait_ms));
    else if (!answer_now) {  // nothing to wait on yet: pace the follower instead of spinning
        asio::steady_timer timer(co_await asio::this_coro::executor,
                                 std::chrono::milliseconds(fr.max_wait_ms));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }

    std::string body;
    auto topics = ctx.topics.list();
    replication::append_response_header(
        body, {ctx.self.id, ctx.core.repl->epoch(), topics_version(topics), ctx.self.host, ctx.self.kafka_port},
        slots.size());
    std::size_t total = 0;
    for (auto& s : slots) {
        std::string records;
        if (s.p) {
            auto& p = *s.p;
            auto end = p.local_end();
            if (s.out.error.empty() && !s.out.diverging && end > s.want->offset && total < max_fetch_bytes) {
                auto r = p.log().read(s.want->offset, std::min(max_partition_bytes, max_fetch_bytes - total), end);
                if (r.ok()) records = std::move(r->data);
                else {
                    s.out.error = r.error().code() == status_code::corruption ? "corrupt_log" : "read_failed";
                    s.out.message = r.error().message();
                }
            }
            auto snap = p.snapshot();
            s.out.high_watermark = snap.high_watermark;
            s.out.log_start_offset = snap.log_start;
            s.out.log_end_offset = end;
            s.out.isr = snap.isr;
        }
        total += records.size();
        replication::append_partition_response(body, s.out, records);
    }
    auto res = json_response(req, beast_http::status::ok, std::move(body));
    res.set(beast_http::field::content_type, "application/octet-stream");
    co_return res;
}

asio::awaitable<response> handle_promote(const request& req, server_context& ctx, const std::string& id) {
    auto want = parse_int(id);
    if (!want || *want != ctx.self.id)
        co_return error_response(req, api_error::invalid("wrong_broker", "this is broker " +
                                                                             std::to_string(ctx.self.id) + ", not '" +
                                                                             id + "'"));
    if (!ctx.promote || !ctx.core.repl)
        co_return error_response(req, {beast_http::status::service_unavailable, "unavailable",
                                       "this broker cannot be promoted", {}});
    std::optional<result<replication::promotion>> outcome;
    // Promotion waits for the fetch in flight: a thread of its own, not an io thread.
    auto s = co_await util::await_status([&](std::function<void(status)> done) {
        std::thread([&ctx, &outcome, done = std::move(done)] {
            outcome.emplace(ctx.promote());
            done(outcome->ok() ? status{} : outcome->error());
        }).detach();
    });
    if (!s.ok()) co_return error_response(req, api_error::from_status(s));
    const auto& p = outcome->value();
    co_return json_response(req, beast_http::status::ok,
                            "{\"broker_id\":" + std::to_string(ctx.self.id) + ",\"role\":\"leader\",\"leader_epoch\":" +
                                std::to_string(p.leader_epoch) + ",\"changed\":" + (p.changed ? "true" : "false") +
                                "}\n");
}

}  // namespace gafka::http
