#pragma once
// What request handlers share: the broker's topics and identity, and the
// request/response types. Handlers run as coroutines on a connection's strand.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

#include "gafka/broker/classic_groups.h"
#include "gafka/broker/core.h"
#include "gafka/broker/topic_admin.h"
#include "gafka/cluster/cluster_view.h"
#include "gafka/cluster/election.h"
#include "gafka/http/api_error.h"
#include "gafka/replication/promotion.h"
#include "gafka/util/histogram.h"

namespace gafka::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

class metrics_text;

struct broker_identity {
    std::int32_t id = 1;
    std::string host = "127.0.0.1";
    std::uint16_t port = 9001;
    std::uint16_t kafka_port = 0;  // the Kafka listener (same host); 0: none
};

// How many routes the route table (router.h) has; request_seconds keeps one
// histogram per route and one more for "other" (404, 405, bad targets).
std::size_t route_count();

struct server_context {
    explicit server_context(broker::core& c) : core(c), topics(c.topics), groups(c.groups), offsets(c.offsets) {}
    // What requests are served from (broker/core.h); the three after it are
    // its parts, named for short.
    broker::core& core;
    broker::topic_manager& topics;
    broker::group_coordinator& groups;
    broker::offsets_store& offsets;
    // Kafka's client-assigned groups (set before the server starts; null
    // without them): a group's status describes their members.
    const broker::classic_groups* kafka_groups = nullptr;
    broker_identity self;
    // gafka-admin promote; blocking, so run off the io threads. Empty: refused.
    std::function<result<replication::promotion>()> promote;
    std::atomic<std::int64_t> open_connections{0};
    std::atomic<std::int64_t> refused_connections{0};  // over --max-connections
    // Bearer tokens every route but /healthz needs (--auth-token-file);
    // empty: no authentication. Set before the server starts, then read-only.
    std::vector<std::string> auth_tokens;
    std::atomic<std::int64_t> unauthorized{0};  // requests answered 401
    std::atomic<std::int64_t> requests{0};
    // Request latency by route (index in the route table; route_count(): other).
    std::unique_ptr<util::histogram[]> request_seconds = std::make_unique<util::histogram[]>(route_count() + 1);
    // What this broker knows of its cluster (cluster/member.h); empty when
    // standalone. Set before the server starts; thread-safe.
    std::function<cluster::cluster_view()> cluster;
    // Records a new topic's assignment and config in the cluster
    // (cluster::member::create_topic: name, config, replication factor, 0
    // for the default); empty when standalone. The etcd calls of these four
    // run off the io threads (bounded), and the arguments outlive them;
    // thread-safe.
    std::function<boost::asio::awaitable<status>(const std::string&, const broker::topic_config&, std::int32_t)>
        create_in_cluster;
    // Records added partitions of a topic in the cluster (broker/topic_admin.h);
    // empty when standalone.
    broker::add_partitions_in_cluster_fn add_partitions_in_cluster;
    // Deletes a topic from the cluster (broker/topic_admin.h); empty when
    // standalone.
    broker::delete_topic_in_cluster_fn delete_in_cluster;
    // Moves leadership back to preferred replicas (cluster::member::
    // elect_preferred: a topic, empty for all; the changes made); empty when
    // standalone.
    std::function<boost::asio::awaitable<status>(const std::string&, std::vector<cluster::elected_leader>&)>
        elect_leaders_in_cluster;
    // Group-commit fsync latency, kept by the broker (null: not kept).
    const util::histogram* fsync_seconds = nullptr;
    // Adds the families of the broker's other listeners (the Kafka port's)
    // to /metrics; set by the process assembly. Empty: none.
    std::function<void(metrics_text&)> more_metrics;
};

response json_response(const request& req, beast_http::status status, std::string body);
response error_response(const request& req, const api_error& e);

// Dispatches by the route table (router.h); answers 404/405 itself.
boost::asio::awaitable<response> route(const request& req, server_context& ctx);

// The handlers, one per endpoint family (handlers_*.cpp).
boost::asio::awaitable<response> handle_produce(const request& req, server_context& ctx);
response handle_init_producer(const request& req, server_context& ctx);
boost::asio::awaitable<response> handle_consume(const request& req, server_context& ctx);
response handle_list_topics(const request& req, server_context& ctx);
boost::asio::awaitable<response> handle_create_topic(const request& req, server_context& ctx);
response handle_describe_topic(const request& req, server_context& ctx, const std::string& name);
boost::asio::awaitable<response> handle_delete_topic(const request& req, server_context& ctx,
                                                     const std::string& name);
boost::asio::awaitable<response> handle_add_partitions(const request& req, server_context& ctx,
                                                       const std::string& name);
response handle_offsets_for_time(const request& req, server_context& ctx, const std::string& name);
response handle_metadata(const request& req, server_context& ctx);
boost::asio::awaitable<response> handle_elect_leaders(const request& req, server_context& ctx);
// A cluster call's refusal `e`: not_leader becomes 421 not_controller with
// the controller's address (gafka-admin follows it) (handlers_topics.cpp).
api_error cluster_refusal(server_context& ctx, api_error e, const status& s);
// Replication (handlers_replication.cpp).
boost::asio::awaitable<response> handle_replica_fetch(const request& req, server_context& ctx);
boost::asio::awaitable<response> handle_promote(const request& req, server_context& ctx, const std::string& id);
response handle_healthz(const request& req, server_context& ctx);
response handle_metrics(const request& req, server_context& ctx);

struct target;
struct route_info;
// A follower answers writes (produce, topic admin, groups) with 421 and the
// leader's address; nullopt when this request may be served here.
std::optional<response> refuse_on_follower(const request& req, server_context& ctx, const route_info& route,
                                           const target& t);
// Group calls: the consumer-groups endpoints and a group consume.
bool is_group_route(const route_info& route, const target& t);
// In a cluster, a group call to a broker that is not the groups' coordinator
// (or still loads their offsets): 421 not_coordinator naming it
// (group_coordinator_gate.cpp); nullopt when it may be served here.
std::optional<response> refuse_unless_coordinator(const request& req, server_context& ctx, const route_info& route,
                                                  const target& t);
// In a cluster, a partition this broker does not lead: 421 not_leader naming
// its leader (handlers_replication.cpp); nullopt when it leads it.
std::optional<api_error> partition_not_led_here(const server_context& ctx, const broker::partition& p);
// Consumer groups (handlers_groups.cpp). Path parameters come in order.
using path_params = std::vector<std::string>;
boost::asio::awaitable<response> handle_group_consume(const request& req, server_context& ctx, const target& t);
boost::asio::awaitable<response> handle_heartbeat(const request& req, server_context& ctx, const path_params& p);
response handle_leave(const request& req, server_context& ctx, const path_params& p);
boost::asio::awaitable<response> handle_commit(const request& req, server_context& ctx, const path_params& p);
response handle_group_status(const request& req, server_context& ctx, const path_params& p);
response handle_list_groups(const request& req, server_context& ctx);
response handle_delete_group(const request& req, server_context& ctx, const path_params& p);

}  // namespace gafka::http
