#include "gafka/server/cluster_topics.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "gafka/util/logging.h"

namespace gafka::server {

topic_standing standing_of(const cluster::cluster_view& view, std::int32_t self, const std::string& name) {
    topic_standing s;
    for (const auto& p : view.partitions) {
        if (p.topic != name) continue;
        s.recorded = true;
        s.partitions = std::max(s.partitions, p.partition + 1);
        s.replica = s.replica || p.leader == self ||
                    std::find(p.replicas.begin(), p.replicas.end(), self) != p.replicas.end();
    }
    return s;
}

cluster::topic_record record_of(const broker::topic_config& config, std::int32_t rf) {
    return {config.partitions, rf, config.retention_ms, config.retention_bytes, config.compression};
}

broker::topic_config config_of(const cluster::topic_record& record, std::int32_t partitions) {
    broker::topic_config config;
    config.partitions = partitions;
    config.retention_ms = record.retention_ms;
    config.retention_bytes = record.retention_bytes;
    config.compression = record.compression;
    return config;
}

void cluster_topics::create(const std::string& name, const broker::topic_config& config,
                            std::int32_t replication_factor, bool forward, std::function<void(status)> done) {
    {
        std::unique_lock lock(mu_);
        if (stopped_) {
            lock.unlock();
            return done(status::unavailable("the broker is stopping"));
        }
        // Auto-creations of one topic (a client retrying its Metadata
        // request, producers at once) wait for the one in flight.
        if (forward) {
            auto& waiting = forwarding_[name];
            waiting.push_back(std::move(done));
            if (waiting.size() > 1) return;
        }
    }
    // (An auto-creation's `done` waits in forwarding_.)
    boost::asio::post(pool_, [this, name, config, replication_factor, forward, done = std::move(done)]() mutable {
        auto s = create_now(name, config, replication_factor, forward);
        if (!forward) return done(s);
        std::vector<std::function<void(status)>> waiting;
        {
            std::lock_guard lock(mu_);
            waiting = std::move(forwarding_[name]);
            forwarding_.erase(name);
        }
        for (auto& d : waiting) d(s);
    });
}

status cluster_topics::create_now(const std::string& name, const broker::topic_config& config,
                                  std::int32_t replication_factor, bool forward) {
    auto view = member_.view();
    if (standing_of(view, self_, name).recorded)
        return status::already_exists("topic '" + name + "' is already recorded in cluster '" + view.name + "'");
    if (view.is_controller) {
        auto s = member_.create_topic(name, record_of(config, replication_factor));
        // Deposed meanwhile: an auto-creation is tried again by its client.
        if (forward && s.code() == status_code::not_leader) return status::unavailable(s.message());
        return s;
    }
    if (!forward)
        return status(status_code::not_leader,
                      "broker " + std::to_string(self_) + " is not the controller of cluster '" + view.name + "'" +
                          (view.controller_id >= 0 ? "; broker " + std::to_string(view.controller_id) + " is" : ""));
    auto at = controller_address(view);
    if (!at.ok()) return at.error();
    auto s = forward_create_topic(*at, name, config.partitions, forward_);
    if (s.code() == status_code::not_leader)
        return status::unavailable("the controller changed while topic '" + name + "' was created: " + s.message());
    if (s.ok())
        util::logger("cluster")->info("topic '{}' created through the controller at {}:{}", name, at->host, at->port);
    else
        util::logger("cluster")->warn("cannot create topic '{}' through the controller at {}:{}: {}", name, at->host,
                                      at->port, s.message());
    return s;
}

result<std::shared_ptr<broker::topic>> cluster_topics::ready(const std::string& name) const {
    auto st = standing_of(member_.view(), self_, name);
    if (!st.recorded) return std::shared_ptr<broker::topic>();
    if (!st.replica)
        return status(status_code::not_leader,
                      "broker " + std::to_string(self_) + " holds no replica of topic '" + name + "'");
    auto t = topics_.find(name);
    if (!t || static_cast<std::int32_t>(t->partitions.size()) < st.partitions || !replicas_.has_roles(name, st.partitions))
        return std::shared_ptr<broker::topic>();
    return t;
}

void cluster_topics::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopped_) return;
        stopped_ = true;
    }
    pool_.join();
}

}  // namespace gafka::server
