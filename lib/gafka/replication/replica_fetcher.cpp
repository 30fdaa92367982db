#include "gafka/replication/replica_fetcher.h"

#include <algorithm>
#include <future>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/http_connection.h"
#include "gafka/replication/fetch_protocol.h"
#include "gafka/util/logging.h"

namespace gafka::replication {
namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("replication"); }

constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{1000};

// A --role follower's partition takes its leader's id and epoch from the
// fetch answer, as a cluster follower's takes its key's; only on a change
// (follow_in_cluster wakes the partition's long polls).
void follow(broker::partition& p, replica_id leader, epoch_t epoch, const std::string& at) {
    auto hint = p.leader_hint();
    if (p.leader_epoch() == epoch && hint && hint->first == leader && hint->second == at) return;
    p.follow_in_cluster(epoch, leader, at);
}

}  // namespace

void replica_fetcher::start() {
    stopping_ = false;
    finished_ = false;
    thread_ = std::thread([this] {
        run();
        finished_ = true;
    });
}

void replica_fetcher::request_stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
}

void replica_fetcher::stop() {
    request_stop();
    if (thread_.joinable()) thread_.join();
}

void replica_fetcher::sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void replica_fetcher::run() {
    client::http_connection conn(options_.leader.host, options_.leader.port, options_.tls);
    conn.set_auth_token(options_.auth_token);
    auto backoff = first_backoff;
    bool failing = false;
    lg()->info("following the leader at {}", options_.leader.to_string());
    while (!stopping_) {
        status s;
        if (!topics_synced_ && !options_.partitions) s = sync_topics(conn);
        if (s.ok()) s = fetch_once(conn);
        if (s.ok()) {
            if (failing) lg()->info("fetching from the leader at {} again", options_.leader.to_string());
            failing = false;
            backoff = first_backoff;
            continue;
        }
        if (!failing) lg()->warn("replica fetch from {}: {}", options_.leader.to_string(), s.message());
        failing = true;
        sleep_for(backoff);
        backoff = std::min(backoff * 2, max_backoff);
    }
    lg()->info("stopped following {}", options_.leader.to_string());
}

status replica_fetcher::sync_topics(client::http_connection& c) {
    auto r = c.request("GET", "/api/v1/topics", "", "", std::chrono::seconds(10));
    if (!r.ok()) return r.error();
    if (r->status != 200) return status::unavailable("listing the leader's topics: " + client::describe_error(*r));
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("topics") || !d["topics"].IsArray())
        return status::unavailable("the leader's topic list is malformed");
    std::set<std::string> on_leader;
    for (const auto& t : d["topics"].GetArray()) {
        if (!t.IsObject() || !t.HasMember("name") || !t["name"].IsString() || !t.HasMember("partitions") ||
            !t["partitions"].IsInt())
            return status::unavailable("the leader's topic list is malformed");
        std::string name = t["name"].GetString();
        broker::topic_config config;
        config.partitions = t["partitions"].GetInt();
        if (t.HasMember("retention_bytes") && t["retention_bytes"].IsInt64())
            config.retention_bytes = t["retention_bytes"].GetInt64();
        if (t.HasMember("retention_ms") && t["retention_ms"].IsInt64()) config.retention_ms = t["retention_ms"].GetInt64();
        if (t.HasMember("compression") && t["compression"].IsString())
            config.compression =
                log::parse_compression_type(t["compression"].GetString()).value_or(log::compression_type::producer);
        on_leader.insert(name);
        auto local = topics_.find(name);
        if (!local) {
            auto created = topics_.create(name, config);
            if (!created.ok() && created.error().code() != status_code::already_exists) return created.error();
            lg()->info("mirroring topic '{}' ({} partitions) from the leader", name, config.partitions);
        } else if (auto have = static_cast<std::int32_t>(local->partitions.size()); have < config.partitions) {
            // alter-topic on the leader: the new partitions are copied from the next fetch on.
            auto grown = topics_.add_partitions(name, config.partitions);
            if (!grown.ok()) return grown.error();
            lg()->info("topic '{}' has {} partitions, as on the leader", name, config.partitions);
        } else if (have > config.partitions) {  // partitions are never removed: not from a leader either
            lg()->error("topic '{}' has {} partitions here but {} on the leader; copying the common ones", name, have,
                        config.partitions);
        }
    }
    // Delete only what this follower saw on this leader before: a follower
    // pointed at the wrong (say, empty) leader must not wipe its logs.
    for (const auto& name : seen_on_leader_)
        if (!on_leader.count(name) && topics_.find(name)) {
            lg()->warn("topic '{}' was deleted on the leader; deleting it here", name);
            if (auto s = topics_.remove(name); !s.ok()) return s;
        }
    seen_on_leader_ = std::move(on_leader);
    topics_synced_ = true;
    return {};
}

status replica_fetcher::fetch_once(client::http_connection& c) {
    fetch_request req;
    auto self = state_.self_address();
    req.replica = state_.self();
    req.host = self.host;
    req.port = self.port;
    req.leader_epoch = state_.epoch();
    req.max_wait_ms = options_.max_wait.count();
    auto want = [&req](const broker::topic& t, const broker::partition& p) {
        req.partitions.push_back({p.topic(), p.id(), p.log().log_end_offset(), p.latest_epoch().value_or(no_epoch),
                                  std::max<std::int64_t>(t.config.cluster_incarnation, 0)});
    };
    std::vector<std::shared_ptr<broker::topic>> held;  // a topic deleted meanwhile stays open until we ask
    if (options_.partitions) {
        for (const auto& [topic, partition] : options_.partitions()) {
            auto t = topics_.find(topic);
            if (!t || partition < 0 || partition >= static_cast<std::int32_t>(t->partitions.size())) continue;
            want(*t, *t->partitions[static_cast<std::size_t>(partition)]);
            held.push_back(std::move(t));
        }
        if (req.partitions.empty()) {  // nothing here to copy yet: the topic is being created
            sleep_for(options_.max_wait);
            return {};
        }
    } else {
        for (const auto& t : topics_.list())
            for (const auto& p : t->partitions) want(*t, *p);
    }
    auto r = c.request("POST", "/api/v1/replica/fetch", encode_fetch_request(req), "application/json",
                       options_.max_wait + std::chrono::seconds(5));
    if (stopping_) return {};  // stopped meanwhile: another fetcher may copy these partitions now
    if (!r.ok()) return r.error();
    if (r->status != 200) return status::unavailable("the leader answered " + client::describe_error(*r));
    auto answer = parse_fetch_response(r->body);
    if (!answer.ok()) return answer.error();
    // In a cluster each partition has its own leader and epoch (etcd's): the
    // broker-wide epoch and the leader's topic list are not followed.
    if (!options_.partitions) {
        if (answer->header.leader_epoch < state_.epoch())
            return status(status_code::conflict, "the leader is at epoch " +
                                                     std::to_string(answer->header.leader_epoch) + ", older than epoch " +
                                                     std::to_string(state_.epoch()) +
                                                     " this broker has seen: not following a stale leader");
        std::optional<replica_address> kafka;
        if (answer->header.kafka_port != 0)
            kafka = replica_address{-1, answer->header.kafka_host, answer->header.kafka_port};
        if (auto s = state_.leader_answered(answer->header.leader_id, answer->header.leader_epoch, std::move(kafka));
            !s.ok())
            return s;
        if (answer->header.topics_version != topics_version_) {
            topics_version_ = answer->header.topics_version;
            topics_synced_ = false;
        }
    }

    struct landed {
        broker::partition* p;
        const fetch_partition_response* a;
    };
    std::vector<landed> done;
    std::vector<std::shared_ptr<broker::topic>> keep;  // a topic deleted meanwhile stays open until we finish
    for (const auto& a : answer->partitions) {
        auto t = topics_.find(a.topic);
        if (!t || a.partition >= static_cast<std::int32_t>(t->partitions.size())) continue;
        keep.push_back(t);
        auto& p = *t->partitions[static_cast<std::size_t>(a.partition)];
        if (a.diverging) {
            auto cut = p.truncate_divergent(*a.diverging);
            if (!cut.ok()) return cut.error();
            continue;
        }
        auto key = a.topic + "/" + std::to_string(a.partition);
        if (!a.error.empty()) {
            if (a.error == "offset_out_of_range" && p.log().log_end_offset() > a.log_end_offset) {
                auto cut = p.truncate_replica(a.log_end_offset);
                if (!cut.ok()) return cut.error();
            } else if (refused_.insert(key).second) {  // once, not every round
                // In a cluster the leader may not have taken its role or the topic yet: asked again each round.
                if (options_.partitions &&
                    (a.error == "not_leader" || a.error == "unknown_topic" || a.error == "other_incarnation"))
                    lg()->info("{}: the leader does not serve it yet: {}; asking again", key, a.message);
                else
                    lg()->error("{}: the leader cannot serve it: {} ({}); not copying it", key, a.message, a.error);
            }
            continue;
        }
        if (refused_.erase(key)) lg()->info("{}: copying it again", key);
        if (!a.records.empty()) {
            auto end = p.append_replicated(a.records);
            if (!end.ok()) {
                lg()->error("{}/{}: cannot append the leader's batches: {}", a.topic, a.partition,
                            end.error().message());
                return end.error();
            }
        }
        done.push_back({&p, &a});
    }
    // Durable before the next fetch reports these offsets as our position.
    if (options_.sync_before_fetch) {
        std::vector<std::future<status>> syncs;
        for (auto [p, a] : done) {
            if (a->records.empty()) continue;
            auto promise = std::make_shared<std::promise<status>>();
            syncs.push_back(promise->get_future());
            p->log().sync_async(p->log().log_end_offset(), [promise](status s) { promise->set_value(std::move(s)); });
        }
        for (auto& f : syncs)
            if (auto s = f.get(); !s.ok()) return s;
    }
    for (auto [p, a] : done) {
        p->leader_said(a->high_watermark, a->log_end_offset, a->isr);
        if (!options_.partitions)
            follow(*p, answer->header.leader_id, answer->header.leader_epoch, options_.leader.to_string());
    }
    return {};
}

}  // namespace gafka::replication
