#include "gafka/server/cluster_replicas.h"

#include <algorithm>

#include "gafka/server/cluster_topics.h"
#include "gafka/util/clock.h"
#include "gafka/util/logging.h"

namespace gafka::server {
namespace {

constexpr std::chrono::milliseconds every{200};

std::shared_ptr<spdlog::logger> lg() { return util::logger("replication"); }

// A replica's copy of `topic`: `partitions`, the config its topic key
// records (the defaults for a key written before the config was, or not
// read yet), and the incarnation `view` shows. Stamped from the start, the
// copy is dropped when etcd no longer has the topic even if no pass stamped
// it first (an unstamped copy is never dropped: it may be the controller's
// own create, not yet in its view).
broker::topic_config replica_config(const cluster::cluster_view& view, const std::string& topic,
                                    std::int32_t partitions) {
    cluster::topic_record record;
    for (const auto& t : view.topics)
        if (t.name == topic) record = t.record;
    auto config = config_of(record, partitions);
    if (auto incarnation = cluster::incarnation_of(view.partitions, topic); incarnation != cluster::no_incarnation)
        config.cluster_incarnation = incarnation;
    return config;
}

}  // namespace

void cluster_replicas::start() {
    thread_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!stopping_) {
            lock.unlock();
            reconcile();
            lock.lock();
            wake_.wait_for(lock, every, [this] { return stopping_; });
        }
    });
}

void cluster_replicas::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    fetchers_.stop();
}

bool cluster_replicas::wait_for_first_read(std::chrono::milliseconds max) {
    auto deadline = std::chrono::steady_clock::now() + max;
    for (;;) {
        auto v = member_.view();
        if (std::any_of(v.brokers.begin(), v.brokers.end(), [this](const auto& b) { return b.id == self_; }))
            return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void cluster_replicas::reconcile() {
    auto view = member_.view();
    std::map<std::int32_t, replication::replica_address> addresses;
    for (const auto& b : view.brokers) addresses[b.id] = {b.id, b.host, b.port};
    auto at = [&](std::int32_t id) {
        auto it = addresses.find(id);
        return it == addresses.end() ? std::string() : it->second.to_string();
    };
    const auto unsettled = settle_local_topics(view);

    for (const auto& [topic, partitions] : cluster::topics_to_hold(self_, view.partitions)) {
        if (auto held = topics_.find(topic)) {  // partitions added in etcd: the local topic grows too
            if (static_cast<std::int32_t>(held->partitions.size()) >= partitions) continue;
            auto grown = topics_.add_partitions(topic, partitions);
            if (grown.ok()) lg()->info("topic '{}' has {} partitions, as etcd says", topic, partitions);
            else if (grown.error().code() != status_code::invalid_argument)  // the controller's own grow won the race
                lg()->error("cannot add partitions to topic '{}' here: {}", topic, grown.error().message());
            continue;
        }
        if (topics_.damaged(topic)) continue;
        auto created = topics_.create(topic, replica_config(view, topic, partitions));
        if (created.ok()) lg()->info("holding replicas of topic '{}' ({} partitions), as etcd says", topic, partitions);
        else if (created.error().code() != status_code::already_exists)  // the controller's own create won the race
            lg()->error("cannot create topic '{}' for its replicas here: {}", topic, created.error().message());
    }

    auto roles = cluster::roles_of(self_, view.partitions);
    std::erase_if(roles, [&unsettled](const auto& r) { return unsettled.count(r.topic) > 0; });  // neither led nor copied
    auto now = util::steady_clock_ms();
    for (const auto& r : roles) {
        auto t = topics_.find(r.topic);
        if (!t || r.partition >= static_cast<std::int32_t>(t->partitions.size())) continue;
        auto& p = *t->partitions[static_cast<std::size_t>(r.partition)];
        applied next{r, r.role == cluster::replica_role::leader ? std::string() : at(r.leader)};
        auto key = std::pair{r.topic, r.partition};
        auto was = applied_.find(key);
        if (was != applied_.end() && was->second == next) {
            if (r.role == cluster::replica_role::leader) propose_if_changed(p, r);
            continue;
        }
        if (r.role == cluster::replica_role::leader) {
            if (was != applied_.end() && was->second.role.role == cluster::replica_role::leader &&
                was->second.role.leader_epoch == r.leader_epoch) {
                p.set_recorded_isr(r.isr, now);  // the same term: only the recorded ISR moved
            } else if (auto s = p.lead_in_cluster(r.leader_epoch, r.isr, now); !s.ok()) {
                lg()->error("{}/{}: cannot lead it: {}", r.topic, r.partition, s.message());
                continue;
            } else {
                lg()->info("{}/{}: leading it at epoch {}", r.topic, r.partition, r.leader_epoch);
                if (on_role_change_) on_role_change_(r.topic, r.partition, true);
            }
        } else {
            p.follow_in_cluster(r.leader_epoch, r.leader, next.leader_at);
            if (r.role == cluster::replica_role::follower)
                lg()->info("{}/{}: following broker {} at epoch {}", r.topic, r.partition, r.leader, r.leader_epoch);
            if (on_role_change_) on_role_change_(r.topic, r.partition, false);
        }
        applied_[key] = std::move(next);
    }

    std::map<replication::replica_id, replication::leader_partitions> plan;
    for (auto& [leader, partitions] : cluster::follow_plan(roles)) {
        auto it = addresses.find(leader);
        if (it == addresses.end()) continue;  // its address comes with its registration
        plan[leader] = {it->second, std::move(partitions)};
    }
    fetchers_.assign(plan);
    publish_roles();
    member_.roles_applied(view.read_under_lease);
}

std::set<std::string> cluster_replicas::settle_local_topics(const cluster::cluster_view& view) {
    std::vector<cluster::local_topic> local;
    for (const auto& t : topics_.list()) local.push_back({t->name, t->config.cluster_incarnation});
    const bool current = member_.view_is_current(view);
    std::set<std::string> unsettled;
    for (const auto& d : cluster::local_topic_fates(self_, view.partitions, local)) {
        switch (d.fate) {
        case cluster::topic_fate::unrecorded:
            if (warned_unrecorded_.insert(d.topic).second)
                lg()->warn("topic '{}' was made outside a cluster (its topic.json has no cluster_incarnation): "
                           "this broker never deletes or replaces it to follow etcd",
                           d.topic);
            break;
        case cluster::topic_fate::stamp:
            if (!current) break;
            if (auto s = topics_.set_cluster_incarnation(d.topic, d.incarnation); !s.ok())
                lg()->error("cannot record the cluster incarnation of topic '{}': {}", d.topic, s.error().message());
            break;
        case cluster::topic_fate::drop:
            if (current) drop_local_topic(d.topic, "etcd no longer has it");
            break;
        case cluster::topic_fate::replace:
            // No role for a copy of another life, also while the view is not
            // current; once dropped, the new life is created below as any
            // topic held here is.
            if (!current || !drop_local_topic(d.topic, "it was deleted and created again while this copy was away"))
                unsettled.insert(d.topic);
            break;
        }
    }
    return unsettled;
}

bool cluster_replicas::drop_local_topic(const std::string& topic, const char* why) {
    auto s = topics_.remove(topic);
    if (!s.ok() && s.code() != status_code::not_found) {  // not_found: the controller's delete came first
        lg()->error("cannot delete topic '{}' ({}): {}", topic, why, s.message());
        return false;
    }
    std::erase_if(applied_, [&topic](const auto& e) { return e.first.first == topic; });
    if (s.ok()) {
        lg()->info("deleted topic '{}': {}", topic, why);
        if (on_topic_deleted_) on_topic_deleted_(topic);
    }
    return true;
}

void cluster_replicas::publish_roles() {
    std::set<cluster::topic_partition_ref> roles;
    for (const auto& [key, _] : applied_) roles.insert(key);
    std::lock_guard lock(roles_mu_);
    with_role_ = std::move(roles);
}

bool cluster_replicas::has_roles(const std::string& topic, std::int32_t partitions) const {
    std::lock_guard lock(roles_mu_);
    for (std::int32_t p = 0; p < partitions; ++p)
        if (!with_role_.count({topic, p})) return false;
    return true;
}

void cluster_replicas::propose_if_changed(broker::partition& p, const cluster::partition_role& r) {
    auto in_sync = p.in_sync();
    if (!in_sync.leader || in_sync.leader_epoch != r.leader_epoch) return;
    auto sorted = [](std::vector<std::int32_t> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    if (sorted(in_sync.isr) != sorted(r.isr)) member_.propose_isr({r.topic, r.partition, r.leader_epoch, in_sync.isr});
}

}  // namespace gafka::server
