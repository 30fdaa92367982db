#include "gafka/http/router.h"

#include <chrono>

#include "gafka/http/auth.h"
#include "gafka/http/query.h"

namespace gafka::http {

response json_response(const request& req, beast_http::status status, std::string body) {
    response res{status, req.version()};
    res.set(beast_http::field::server, "gafka");
    res.set(beast_http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response error_response(const request& req, const api_error& e) { return json_response(req, e.http_status, e.body()); }

namespace {

using verb = beast_http::verb;
using awaitable_response = boost::asio::awaitable<response>;

// Lifts a plain handler into the coroutine signature.
template <response (*f)(const request&, server_context&)>
awaitable_response plain(const request& req, server_context& ctx, const path_params&) {
    co_return f(req, ctx);
}
template <response (*f)(const request&, server_context&, const std::string&)>
awaitable_response with_name(const request& req, server_context& ctx, const path_params& p) {
    co_return f(req, ctx, p.at(0));
}
template <response (*f)(const request&, server_context&, const path_params&)>
awaitable_response with_params(const request& req, server_context& ctx, const path_params& p) {
    co_return f(req, ctx, p);
}
template <awaitable_response (*f)(const request&, server_context&)>
awaitable_response async(const request& req, server_context& ctx, const path_params&) {
    co_return co_await f(req, ctx);
}
template <awaitable_response (*f)(const request&, server_context&, const std::string&)>
awaitable_response async_name(const request& req, server_context& ctx, const path_params& p) {
    co_return co_await f(req, ctx, p.at(0));
}
template <awaitable_response (*f)(const request&, server_context&, const path_params&)>
awaitable_response async_params(const request& req, server_context& ctx, const path_params& p) {
    co_return co_await f(req, ctx, p);
}

using handler_fn = awaitable_response (*)(const request&, server_context&, const path_params&);

struct route_entry {
    route_info info;
    handler_fn handler;
};

const std::vector<route_entry>& table() {
    static const std::vector<route_entry> routes = {
        {{"POST", "/api/v1/produce"}, &async<handle_produce>},
        {{"POST", "/api/v1/producers"}, &plain<handle_init_producer>},
        {{"GET", "/api/v1/consume"}, &async<handle_consume>},
        {{"GET", "/api/v1/topics"}, &plain<handle_list_topics>},
        {{"POST", "/api/v1/topics"}, &async<handle_create_topic>},
        {{"GET", "/api/v1/topics/{name}"}, &with_name<handle_describe_topic>},
        {{"DELETE", "/api/v1/topics/{name}"}, &async_name<handle_delete_topic>},
        {{"GET", "/api/v1/topics/{name}/offsets"}, &with_name<handle_offsets_for_time>},
        {{"POST", "/api/v1/topics/{name}/partitions"}, &async_name<handle_add_partitions>},
        {{"GET", "/api/v1/consumer-groups"}, &plain<handle_list_groups>},
        {{"GET", "/api/v1/consumer-groups/{group}/status"}, &with_params<handle_group_status>},
        {{"DELETE", "/api/v1/consumer-groups/{group}"}, &with_params<handle_delete_group>},
        {{"POST", "/api/v1/consumer-groups/{group}/members/{consumer}/heartbeat"}, &async_params<handle_heartbeat>},
        {{"DELETE", "/api/v1/consumer-groups/{group}/members/{consumer}"}, &with_params<handle_leave>},
        {{"POST", "/api/v1/consumer-groups/{group}/offsets"}, &async_params<handle_commit>},
        {{"GET", "/api/v1/metadata"}, &plain<handle_metadata>},
        {{"POST", "/api/v1/cluster/elect-leaders"}, &async<handle_elect_leaders>},
        {{"POST", "/api/v1/replica/fetch"}, &async<handle_replica_fetch>},
        {{"POST", "/api/v1/brokers/{id}/promote"}, &async_name<handle_promote>},
        {{"GET", "/healthz"}, &plain<handle_healthz>},
        {{"GET", "/metrics"}, &plain<handle_metrics>},
    };
    return routes;
}

// Matches `path` against a pattern whose {placeholder} segments each match
// one non-empty path segment, collected in order.
bool matches(std::string_view pattern, std::string_view path, path_params& captured) {
    captured.clear();
    while (!pattern.empty() || !path.empty()) {
        auto ps = pattern.find('/', 1), xs = path.find('/', 1);
        auto pseg = pattern.substr(0, ps), xseg = path.substr(0, xs);
        if (pseg.size() > 2 && pseg[1] == '{') {
            if (xseg.size() < 2 || xseg[0] != '/') return false;
            captured.emplace_back(xseg.substr(1));
        } else if (pseg != xseg) {
            return false;
        }
        pattern = ps == std::string_view::npos ? std::string_view{} : pattern.substr(ps);
        path = xs == std::string_view::npos ? std::string_view{} : path.substr(xs);
    }
    return true;
}

}  // namespace

std::size_t route_count() { return table().size(); }

std::vector<route_info> routes() {
    std::vector<route_info> out;
    for (const auto& r : table()) out.push_back(r.info);
    return out;
}

namespace {

// Times a request into its route's histogram when the handler returns.
struct request_timer {
    server_context& ctx;
    std::size_t index = route_count();  // "other" until a route matches
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    ~request_timer() { ctx.request_seconds[index].observe(std::chrono::steady_clock::now() - started); }
};

}  // namespace

awaitable_response route(const request& req, server_context& ctx) {
    ++ctx.requests;
    request_timer timer{ctx};
    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    // Before anything else: without the token, not even which paths exist is told.
    if (auto refused = refuse_unauthorized(req, ctx, t.ok() ? std::string_view(t->path) : std::string_view{}))
        co_return std::move(*refused);
    if (!t.ok()) co_return error_response(req, api_error::bad_request(t.error().message()));
    auto method = req.method() == verb::head ? std::string("GET") : std::string(req.method_string());
    std::string allowed;
    path_params captured;
    for (std::size_t i = 0; i < table().size(); ++i) {
        const auto& r = table()[i];
        if (!matches(r.info.pattern, t->path, captured)) continue;
        if (r.info.method != method) {
            allowed += (allowed.empty() ? "" : ", ") + r.info.method;
            continue;
        }
        timer.index = i;
        if (auto refused = refuse_on_follower(req, ctx, r.info, *t)) co_return std::move(*refused);
        if (auto refused = refuse_unless_coordinator(req, ctx, r.info, *t)) co_return std::move(*refused);
        co_return co_await r.handler(req, ctx, captured);
    }
    if (!allowed.empty()) {
        auto res = error_response(req, {beast_http::status::method_not_allowed, "method_not_allowed",
                                        std::string(req.method_string()) + " is not allowed here; use " + allowed, {}});
        res.set(beast_http::field::allow, allowed);
        co_return res;
    }
    co_return error_response(req, {beast_http::status::not_found, "not_found", "no such endpoint: " + t->path, {}});
}

}  // namespace gafka::http
