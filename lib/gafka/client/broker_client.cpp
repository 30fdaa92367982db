#include "gafka/client/broker_client.h"

#include <algorithm>
#include <thread>

#include <rapidjson/document.h>

#include "gafka/rules/names.h"
#include "gafka/util/clock.h"

namespace gafka::client {

std::string error_code(const http_reply& reply) {
    rapidjson::Document d;
    d.Parse(reply.body.data(), reply.body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"].IsObject()) return "";
    const auto& e = d["error"];
    return e.HasMember("code") && e["code"].IsString() ? e["code"].GetString() : "";
}

bool transient_refusal(const http_reply& reply) {
    if (reply.status != 503) return false;
    auto code = error_code(reply);
    return code == "storage_error" || code == "not_enough_replicas" || code == "replication_timeout";
}

std::string describe_error(const http_reply& reply) {
    rapidjson::Document d;
    d.Parse(reply.body.data(), reply.body.size());
    if (!d.HasParseError() && d.IsObject() && d.HasMember("error") && d["error"].IsObject()) {
        const auto& e = d["error"];
        if (e.HasMember("message") && e["message"].IsString()) return e["message"].GetString();
    }
    auto body = reply.body.substr(0, 200);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    return "HTTP " + std::to_string(reply.status) + (body.empty() ? "" : ": " + body);
}

result<std::unique_ptr<broker_client>> broker_client::connect(std::string_view brokers, client_options options) {
    auto bootstrap = parse_bootstrap(brokers);
    if (!bootstrap.ok()) return bootstrap.error();
    return std::unique_ptr<broker_client>(new broker_client(std::move(*bootstrap), options));
}

http_connection& broker_client::connection(const broker_address& b) {
    auto& c = connections_[{b.host, b.port}];
    if (!c) c = std::make_unique<http_connection>(b.host, b.port);
    return *c;
}

result<http_reply> broker_client::call(const std::string& method, const std::string& target, const std::string& body,
                                       const std::string& content_type) {
    auto candidates = metadata_.brokers_to_try();
    status last = status(status_code::unavailable, "no brokers to try");
    auto backoff = options_.backoff;
    for (int attempt = 0; attempt <= options_.retries; ++attempt) {
        for (const auto& b : candidates) {
            auto r = connection(b).request(method, target, body, content_type, options_.timeout);
            if (r.ok() && r->status == 421) return follow_leader(*r, method, target, body, content_type);
            if (r.ok() || r.error().code() == status_code::invalid_argument) return r;  // TLS mismatch: no retry
            last = r.error();
        }
        if (attempt < options_.retries) std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
    return last;
}

result<http_reply> broker_client::follow_leader(const http_reply& refused, const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const std::string& content_type) {
    metadata_.request_refresh();
    rapidjson::Document d;
    d.Parse(refused.body.data(), refused.body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"].IsObject() ||
        !d["error"].HasMember("leader") || !d["error"]["leader"].IsString())
        return refused;
    auto leader = parse_bootstrap(d["error"]["leader"].GetString());
    if (!leader.ok() || leader->size() != 1) return refused;
    auto r = connection(leader->front()).request(method, target, body, content_type, options_.timeout);
    return r.ok() ? r : result<http_reply>(refused);
}

status broker_client::refresh_metadata() {
    auto r = call("GET", "/api/v1/metadata");
    auto now = util::steady_clock_ms();
    if (!r.ok()) {
        metadata_.failed_refresh(now);
        return r.error();
    }
    if (r->status != 200) {
        metadata_.failed_refresh(now);
        return status(status_code::unavailable, "metadata: " + describe_error(*r));
    }
    auto snap = parse_metadata_json(r->body);
    if (!snap.ok()) {
        metadata_.failed_refresh(now);
        return snap.error();
    }
    metadata_.update(std::move(*snap), now);
    return {};
}

std::optional<std::int32_t> broker_client::partition_count(const std::string& topic) {
    if (auto n = metadata_.partition_count(topic)) return n;
    if (!refresh_metadata().ok()) return std::nullopt;
    return metadata_.partition_count(topic);
}

result<http_reply> broker_client::call_leader(const std::string& topic, std::int32_t partition,
                                              const std::string& method, const std::string& target,
                                              const std::string& body, const std::string& content_type) {
    // A dead leader and a 421 "not the leader" are both answered the same
    // way: learn the leader again from whichever broker answers, back off,
    // retry. This is what carries a producer across a failover. A partition
    // without a live leader (a cluster between a broker's loss and the new
    // leader's election) is asked of any broker, which may know better or
    // name the leader in a 421; a 421 from it is retried the same way.
    auto backoff = options_.backoff;
    const auto started = util::steady_clock_ms();
    for (int attempt = 0;; ++attempt) {
        if (metadata_.needs_refresh(util::steady_clock_ms())) (void)refresh_metadata();
        auto lookup = metadata_.leader_for(topic, partition);
        bool known = lookup.state == leader_state::known;
        auto r = known ? connection(*lookup.leader).request(method, target, body, content_type, options_.timeout)
                       : call(method, target, body, content_type);  // retries unreachable brokers itself
        if (!known && (lookup.state == leader_state::unknown_topic_or_partition || !r.ok())) return r;
        if ((r.ok() && r->status != 421) || !may_retry(attempt, started)) return r;
        if (!r.ok() && r.error().code() == status_code::invalid_argument) return r;  // TLS mismatch: no retry
        metadata_.request_refresh();
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
}

bool may_retry(int attempt, int retries, std::chrono::milliseconds elapsed, std::chrono::milliseconds failover_window) {
    return attempt < retries || elapsed < failover_window;
}

bool broker_client::may_retry(int attempt, std::int64_t started_ms) const {
    return client::may_retry(attempt, options_.retries, std::chrono::milliseconds(util::steady_clock_ms() - started_ms),
                             metadata_.failover_window());
}

result<http_reply> broker_client::call_coordinator(const std::string& method, const std::string& target,
                                                   const std::string& body, const std::string& content_type) {
    return call_leader(std::string(rules::offsets_topic), 0, method, target, body, content_type);
}

result<http_connection*> broker_client::leader_connection(const std::string& topic, std::int32_t partition) {
    auto lookup = metadata_.leader_for(topic, partition);
    if (lookup.state != leader_state::known)
        return status(status_code::unavailable, "no known leader for " + topic + "/" + std::to_string(partition));
    return &connection(*lookup.leader);
}

}  // namespace gafka::client
