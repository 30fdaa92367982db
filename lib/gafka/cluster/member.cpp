#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/member.h"

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "gafka/util/logging.h"

namespace gafka::cluster {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

auto lg() { return util::logger("cluster"); }

std::int64_t ttl_seconds(milliseconds session_timeout) {
    return std::max<std::int64_t>(1, (session_timeout.count() + 999) / 1000);
}

}  // namespace

member::member(member_config config)
    : config_(std::move(config)),
      keys_(config_.name),
      renew_every_(std::max<milliseconds>(milliseconds(100), config_.session_timeout / 3)),
      io_(std::make_unique<asio::io_context>(1)) {
    // Calls are bounded by the renewal period, so a hung etcd is noticed
    // before the lease can run out.
    etcd_ = std::make_unique<etcd_client>(io_->get_executor(), config_.endpoints, renew_every_);
    registered_signal_ = std::make_unique<asio::steady_timer>(*io_, asio::steady_timer::time_point::max());
    view_.name = config_.name;
    view_.session_timeout_ms = std::chrono::duration_cast<milliseconds>(config_.session_timeout).count();
}

member::~member() {
    stop();
    registered_signal_.reset();
    io_.reset();  // the coroutines still suspended go with it
    etcd_.reset();
}

asio::awaitable<void> member::sleep(clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

status member::start() {
    auto work = asio::make_work_guard(*io_);
    thread_ = std::thread([this] { io_->run(); });
    auto joined = asio::co_spawn(*io_, join(), asio::use_future).get();
    if (joined.code() == status_code::already_exists) {
        stop();
        return joined;
    }
    asio::co_spawn(*io_, session_loop(), asio::detached);
    asio::co_spawn(*io_, mirror_loop(), asio::detached);
    work.reset();  // the loops keep run() going
    return joined;
}

void member::stop() {
    if (stopped_ || !thread_.joinable()) return;
    stopped_ = true;
    auto left = asio::co_spawn(*io_, leave(), asio::use_future);
    left.wait_for(renew_every_ * 2);
    io_->stop();
    thread_.join();
}

asio::awaitable<void> member::leave() {
    leaving_ = true;  // the loops do nothing more, so nothing registers again
    if (controller_) step_down("the broker is stopping");
    if (lease_ != 0) {
        if (auto s = co_await etcd_->lease_revoke(lease_, renew_every_); !s.ok())
            lg()->warn("could not revoke the lease (its keys go when it expires): {}", s.message());
        lease_ = 0;
    }
    registered_ = false;
    publish();
}

asio::awaitable<status> member::register_once() {
    if (leaving_) co_return status::unavailable("the broker is stopping");
    if (lease_ == 0) {
        auto sent = clock::now();
        const auto ttl = ttl_seconds(config_.session_timeout);
        auto lease = co_await etcd_->lease_grant(ttl);
        if (!lease.ok()) co_return lease.error();
        lease_ = lease->id;
        valid_until_ = sent + std::chrono::seconds(lease->ttl_seconds);
    }
    auto key = keys_.broker(config_.self.id);
    txn_request t;
    t.compares.push_back({compare::target::create_revision, key, 0, {}});
    t.success.push_back({txn_op::kind::put, key, encode_broker(config_.self), lease_, {}});
    t.failure.push_back({txn_op::kind::range, key, {}, 0, {}});
    auto r = co_await etcd_->txn(t);
    if (!r.ok()) {
        // The lease ran out while the txn could not get through: a new one next time.
        if (r.error().message().find("lease not found") != std::string::npos) lease_ = 0;
        co_return r.error();
    }
    if (leaving_) co_return status::unavailable("the broker is stopping");
    // Held under our own lease: an earlier try that timed out was applied.
    bool ours = !r->ranges.empty() && !r->ranges[0].empty() && r->ranges[0][0].lease == lease_;
    if (!r->succeeded && !ours) {
        std::string holder = "another broker";
        if (!r->ranges.empty() && !r->ranges[0].empty())
            if (auto b = decode_broker(r->ranges[0][0].value); b.ok())
                holder = "the broker at " + b->host + ":" + std::to_string(b->port);
        co_return status::already_exists("broker id " + std::to_string(config_.self.id) +
                                         " is already registered in cluster '" + config_.name + "' by " + holder);
    }
    registered_ = true;
    set_etcd_up(true, "");
    lg()->info("broker {} registered in cluster '{}' (etcd {}, lease {:x}, TTL {} s)", config_.self.id, config_.name,
               etcd_->endpoints_text(), lease_, ttl_seconds(config_.session_timeout));
    registered_signal_->cancel();
    publish();
    co_return status{};
}

asio::awaitable<status> member::join() {
    // A key of this id may be this broker's own from before a crash, alive
    // until its lease expires: wait that long before calling it a duplicate.
    auto deadline = clock::now() + config_.session_timeout + milliseconds(500);
    for (;;) {
        auto s = co_await register_once();
        if (s.ok() || s.code() != status_code::already_exists || clock::now() >= deadline) {
            if (s.code() == status_code::already_exists && lease_ != 0) {
                (void)co_await etcd_->lease_revoke(lease_, renew_every_);
                lease_ = 0;
            }
            if (!s.ok() && s.code() != status_code::already_exists) set_etcd_up(false, s.message());
            co_return s;
        }
        co_await sleep(milliseconds(200));
    }
}

asio::awaitable<void> member::session_loop() {
    bool duplicate_logged = false;
    for (;;) {
        if (!registered_) {
            auto s = co_await register_once();
            if (s.code() == status_code::already_exists) {
                if (!duplicate_logged)
                    lg()->error("{}; this broker stays out of the cluster until it is gone", s.message());
                duplicate_logged = true;
            } else if (!s.ok()) {
                set_etcd_up(false, s.message());
            }
            if (!registered_) {
                co_await sleep(renew_every_);
                continue;
            }
        }
        auto sent = clock::now();
        auto ttl = co_await etcd_->lease_keepalive(lease_, renew_every_);
        if (leaving_) co_return;
        if (ttl.ok() && *ttl > 0) {
            valid_until_ = sent + std::chrono::seconds(*ttl);
            bool was_down = !etcd_up_;
            set_etcd_up(true, "");
            if (was_down && watch_) watch_->close();  // read everything again
        } else if (ttl.ok()) {
            lg()->warn("the lease of broker {} expired in etcd; registering again", config_.self.id);
            if (controller_) step_down("its lease expired");
            registered_ = false;
            lease_ = 0;
            registered_signal_->expires_at(asio::steady_timer::time_point::max());
            if (watch_) watch_->close();
            publish();
            continue;
        } else {
            set_etcd_up(false, ttl.error().message());
        }
        // Counted from when the last renewal that worked was sent: etcd
        // cannot have expired the lease before then, whatever the delays.
        auto now = clock::now();
        if (controller_ && now >= valid_until_) step_down("its lease could not be renewed in time");
        publish();
        clock::duration next = ttl.ok() ? renew_every_ : std::min<milliseconds>(renew_every_, milliseconds(250));
        if (controller_) next = std::min<clock::duration>(next, valid_until_ - now);
        co_await sleep(next);
    }
}

asio::awaitable<void> member::mirror_loop() {
    for (;;) {
        if (!registered_) {
            boost::system::error_code ec;
            co_await registered_signal_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        const range_request everything{keys_.root, prefix_end(keys_.root)};
        const auto lease_at_read = lease_;
        auto read = co_await etcd_->range(everything);
        if (!read.ok()) {
            co_await sleep(renew_every_);
            continue;
        }
        if (lease_at_read != lease_) continue;  // registered again meanwhile: read under the new lease
        for (auto& [id, b] : brokers_) b.live = false;
        partitions_.clear();
        topics_.clear();
        bool controller_seen = false;
        for (const auto& kv : read->kvs) {
            apply(kv, false);
            controller_seen = controller_seen || kv.key == keys_.controller;
        }
        if (!controller_seen) apply({keys_.controller, {}, 0, 0, 0, 0}, true);
        read_under_lease_ = lease_at_read;
        elect_pending_ = true;
        publish();
        if (controller_) elect_leaders();
        ensure_offsets_topic();
        auto w = co_await etcd_->watch(everything, read->revision + 1);
        if (!w.ok()) {
            co_await sleep(renew_every_);
            continue;
        }
        watch_ = w->get();
        if (!controller_seen) co_await campaign();
        for (;;) {
            auto got = co_await (*w)->next();
            if (!got.ok()) {
                if (registered_) lg()->debug("watch ended: {}", got.error().message());
                break;
            }
            if (got->canceled) {
                lg()->info(
                    "the watch was cancelled{} ; reading the cluster again",
                    got->compact_revision ? " (revision " + std::to_string(got->compact_revision) + " compacted)" : "");
                break;
            }
            bool controller_gone = false;
            for (const auto& e : got->events) {
                apply(e.kv, e.deleted);
                controller_gone = controller_gone || (e.deleted && e.kv.key == keys_.controller);
            }
            publish();
            if (controller_ && elect_pending_) elect_leaders();
            ensure_offsets_topic();
            if (controller_gone) co_await campaign();
        }
        watch_ = nullptr;
    }
}

asio::awaitable<void> member::campaign() {
    if (leaving_ || !registered_ || lease_ == 0) co_return;
    txn_request t;
    t.compares.push_back({compare::target::create_revision, keys_.controller, 0, {}});
    t.success.push_back({txn_op::kind::put, keys_.controller, encode_controller(config_.self.id), lease_, {}});
    auto r = co_await etcd_->txn(t);
    if (leaving_) co_return;
    if (!r.ok()) {
        lg()->warn("campaign for controller failed: {}", r.error().message());
        co_return;  // the watch or the next read of the cluster tries again
    }
    if (!r->succeeded) co_return;  // another broker won; its put comes through the watch
    controller_ = clock::now() < valid_until_;
    controller_id_ = config_.self.id;
    controller_epoch_ = r->revision;
    lg()->info("broker {} is the controller of cluster '{}' at epoch {}", config_.self.id, config_.name, r->revision);
    publish();
    if (controller_) elect_leaders();  // carries on from what etcd holds
    if (controller_) offsets_topic_took_office();
}

void member::apply(const key_value& kv, bool deleted) {
    if (apply_topic(kv, deleted)) return;
    if (kv.key == keys_.controller) {
        if (deleted) {
            if (controller_) step_down("the controller key was deleted");
            controller_id_ = -1;
            controller_epoch_ = 0;
            return;
        }
        auto id = decode_controller(kv.value);
        controller_id_ = id.ok() ? *id : -1;
        controller_epoch_ = kv.create_revision;
        bool mine = kv.lease == lease_ && lease_ != 0 && id.ok() && *id == config_.self.id;
        if (controller_ && !mine) step_down("another broker holds the controller key");
        if (!controller_ && mine && !leaving_ && clock::now() < valid_until_) {
            controller_ = true;
            elect_pending_ = true;
            lg()->info("broker {} is the controller of cluster '{}' at epoch {}", config_.self.id, config_.name,
                       controller_epoch_);
        }
        return;
    }
    if (auto where = parse_partition_key(keys_, kv.key); where.ok()) {
        elect_pending_ = true;
        if (deleted) {
            partitions_.erase(*where);
            return;
        }
        auto p = decode_partition(kv.value);
        if (!p.ok()) {
            lg()->warn("ignoring {}: {}", kv.key, p.error().message());
            return;
        }
        partitions_[*where] = {*p, kv.mod_revision};
        created_at_[*where] = kv.create_revision;
        return;
    }
    if (kv.key.rfind(keys_.brokers, 0) != 0) return;
    auto id_text = kv.key.substr(keys_.brokers.size());
    std::int32_t id = 0;
    try {
        id = std::stoi(id_text);
    } catch (...) {
        return;  // not a broker key of ours
    }
    elect_pending_ = true;
    if (deleted) {
        if (auto it = brokers_.find(id); it != brokers_.end()) it->second.live = false;
        return;
    }
    auto b = decode_broker(kv.value);
    if (!b.ok()) {
        lg()->warn("ignoring {}: {}", kv.key, b.error().message());
        return;
    }
    b->live = true;
    brokers_[id] = *b;
}

bool member::apply_topic(const key_value& kv, bool deleted) {
    auto name = parse_topic_key(keys_, kv.key);
    if (!name.ok()) return false;
    if (deleted) {
        topics_.erase(*name);
        return true;
    }
    auto t = decode_topic(kv.value);
    if (!t.ok()) {
        lg()->warn("ignoring {}: {}", kv.key, t.error().message());
        return true;
    }
    topics_[*name] = *t;
    return true;
}

void member::publish_topics() {
    view_.topics.clear();
    for (const auto& [name, t] : topics_) view_.topics.push_back({name, t});
}

void member::step_down(const char* why) {
    controller_ = false;
    lg()->warn("broker {} is no longer the controller (epoch {}): {}", config_.self.id, controller_epoch_, why);
}

void member::set_etcd_up(bool up, const std::string& why) {
    etcd_up_ = up;
    if (up == !down_reported_) return;  // nothing new to say
    down_reported_ = !up;
    if (up)
        lg()->info("etcd is reachable again");
    else
        lg()->warn("etcd is unreachable; serving on, degraded: {}", why);
}

void member::publish() {
    std::lock_guard lock(mu_);
    view_.etcd_up = etcd_up_;
    view_.registered = registered_;
    view_.controller_id = controller_id_;
    view_.controller_epoch = controller_epoch_;
    view_.is_controller = controller_;
    valid_until_view_ = valid_until_;
    view_.brokers.clear();
    for (const auto& [id, b] : brokers_) view_.brokers.push_back(b);
    view_.partitions.clear();
    for (const auto& [where, r] : partitions_) {
        const auto& p = r.state;
        auto created = created_at_.find(where);
        view_.partitions.push_back({where.first, where.second, p.leader, p.leader_epoch, p.replicas, p.isr,
                                    created == created_at_.end() ? 0 : created->second});
    }
    publish_topics();
    // Acknowledge only while etcd cannot have expired the lease yet, with a
    // margin for the answer's way out, and with roles read under this lease.
    const auto margin = std::max<clock::duration>(milliseconds(100), renew_every_ / 2);
    bool fresh = registered_ && lease_ != 0 && read_under_lease_ == lease_;
    view_.read_under_lease = read_under_lease_;
    acknowledge_lease_ = fresh ? lease_ : -1;
    acknowledge_until_ = fresh ? (valid_until_ - margin).time_since_epoch().count() : 0;
}

bool member::may_acknowledge() const {
    return roles_applied_.load() == acknowledge_lease_.load() &&
           clock::now().time_since_epoch().count() < acknowledge_until_.load();
}

cluster_view member::view() const {
    std::lock_guard lock(mu_);
    auto v = view_;
    // The lease may run out between two turns of the member's thread: the
    // reader checks the deadline itself.
    v.is_controller = v.is_controller && clock::now() < valid_until_view_;
    return v;
}

status member::failed_controller_txn(const txn_response& r, revision_t epoch, status otherwise) {
    if (r.ranges.size() == 2 && !r.ranges[0].empty() && r.ranges[0][0].create_revision == epoch) return otherwise;
    if (controller_) step_down("etcd holds another controller epoch");
    return not_controller();
}

status member::not_controller() const {
    return status(status_code::not_leader,
                  "broker " + std::to_string(config_.self.id) + " is not the controller of cluster '" + config_.name +
                      "'" + (controller_id_ >= 0 ? "; broker " + std::to_string(controller_id_) + " is" : ""));
}

status member::run_bounded(asio::awaitable<status> work, const std::string& if_late) {
    if (stopped_ || !thread_.joinable()) return status::unavailable("the broker is not in the cluster");
    auto done = asio::co_spawn(*io_, std::move(work), asio::use_future);
    if (done.wait_for(renew_every_ * 2) != std::future_status::ready)
        return status::unavailable("etcd did not answer in time; " + if_late);
    return done.get();
}

status member::create_topic(const std::string& topic, topic_record record) {
    return run_bounded(record_topic(topic, record), "the topic may or may not be recorded");
}

// Parameters by value: the caller may stop waiting before this ends.
asio::awaitable<status> member::record_topic(std::string topic, topic_record record) {
    if (!controller_ || clock::now() >= valid_until_) co_return not_controller();
    std::vector<std::int32_t> live;
    for (const auto& [id, b] : brokers_)
        if (b.live) live.push_back(id);
    if (record.replication_factor <= 0)
        record.replication_factor = default_replication_factor(config_.replication_factor, live.size());
    const auto partitions = record.partitions, rf = record.replication_factor;
    auto assigned = assign_replicas(live, partitions, rf, assignment_start(topic));
    if (!assigned.ok()) co_return assigned.error();
    const revision_t epoch = controller_epoch_;
    for (auto& p : *assigned) p.controller_epoch = epoch;
    const auto t = create_topic_txn(keys_, topic, record, *assigned, epoch);
    auto r = co_await etcd_->txn(t);
    if (!r.ok())
        co_return status::unavailable("could not record topic '" + topic + "' in etcd: " + r.error().message());
    if (!r->succeeded)
        co_return failed_controller_txn(
            *r, epoch,
            status::already_exists("topic '" + topic + "' is already recorded in cluster '" + config_.name + "'"));
    for (std::size_t p = 0; p < assigned->size(); ++p) {
        partitions_[{topic, static_cast<std::int32_t>(p)}] = {(*assigned)[p], r->revision};
        created_at_[{topic, static_cast<std::int32_t>(p)}] = r->revision;  // put in that txn
    }
    topics_[topic] = record;
    publish();
    lg()->info("controller {} (epoch {}) recorded topic '{}': {} partition(s), replication factor {}",
               config_.self.id, epoch, topic, partitions, rf);
    co_return status{};
}

}  // namespace gafka::cluster
