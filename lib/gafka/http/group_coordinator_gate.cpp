// In a cluster, group calls are served by the groups' coordinator only (the
// leader of the offsets partition, docs/cluster.md "Group offsets"); any
// other broker, and the coordinator while it loads the offsets, answers 421
// not_coordinator naming the coordinator as not_leader names a leader.
#include "gafka/cluster/coordinator.h"
#include "gafka/http/context.h"
#include "gafka/http/query.h"
#include "gafka/http/router.h"

namespace gafka::http {

bool is_group_route(const route_info& route, const target& t) {
    return route.pattern.starts_with("/api/v1/consumer-groups") ||
           (route.pattern == "/api/v1/consume" && (t.get("group_id") || t.get("consumer_id")));
}

std::optional<response> refuse_unless_coordinator(const request& req, server_context& ctx, const route_info& route,
                                                  const target& t) {
    auto state = ctx.core.group_coordinator_state();
    if (state == broker::coordinator_state::serving || !is_group_route(route, t)) return std::nullopt;
    std::optional<cluster::broker_registration> coordinator;
    if (ctx.cluster) coordinator = cluster::group_coordinator_of(ctx.cluster());
    std::string message = state == broker::coordinator_state::loading
                              ? "broker " + std::to_string(ctx.self.id) + " is loading the group offsets"
                              : "broker " + std::to_string(ctx.self.id) + " is not the group coordinator";
    std::optional<std::string> at;
    if (coordinator && coordinator->id == ctx.self.id && state != broker::coordinator_state::loading) {
        // Named by its own view, but fenced (broker::core::group_coordinator_state).
        message = "broker " + std::to_string(ctx.self.id) +
                  " cannot be sure it still coordinates the groups (its cluster session was not renewed in time); "
                  "try again";
        coordinator.reset();
    } else if (coordinator) {
        at = coordinator->host + ":" + std::to_string(coordinator->port);
        if (state != broker::coordinator_state::loading)
            message += "; broker " + std::to_string(coordinator->id) + " at " + *at + " is";
    } else {
        message += "; no broker coordinates groups yet";
    }
    api_error e{beast_http::status::misdirected_request, "not_coordinator", message, at};
    if (coordinator) e.details_json = "\"leader_id\":" + std::to_string(coordinator->id);
    return error_response(req, e);
}

}  // namespace gafka::http
