// Committed group offsets in a cluster's internal topic (broker/offsets_store.h,
// replicated backend), on a real topic manager: commits go to partition 0 of
// __consumer_offsets only where this broker leads it, are answered once the
// in-sync replicas have them, and rebuild the committed offsets when the
// broker takes the groups over.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include "gafka/broker/offsets_store.h"
#include "gafka/broker/partition.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/cluster/coordinator.h"
#include "gafka/rules/names.h"
#include "test_support.h"

namespace gafka::broker {
namespace {

class offsets_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto t = topic_manager::open(tmp_.path(), 1, {}, {});
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        topics_ = std::move(*t);
        topic_config orders;
        orders.partitions = 2;
        ASSERT_TRUE(topics_->create("orders", orders).ok());
        store_ = offsets_store::in_topic(*topics_);
    }

    partition& offsets_partition() {
        if (!topics_->find(std::string(rules::offsets_topic))) {
            topic_config c;
            c.partitions = 1;
            EXPECT_TRUE(topics_->create(std::string(rules::offsets_topic), c).ok());
        }
        return *topics_->find(std::string(rules::offsets_topic))->partitions[0];
    }

    group_coordinator groups() {
        return group_coordinator(
            [this](const std::string& topic) {
                auto t = topics_->find(topic);
                return t ? static_cast<std::int32_t>(t->partitions.size()) : 0;
            },
            [this](const std::string& g, const topic_partition& tp, log::offset_t o) {
                auto r = store_->append(g, tp, o);
                return r.ok() ? status{} : r.error();
            });
    }

    void TearDown() override {
        work_.reset();
        io_thread_.join();
    }

    std::future<status> synced(log::offset_t through) {
        return boost::asio::co_spawn(io_, store_->wait_committed(through), boost::asio::use_future);
    }

    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
    std::thread io_thread_{[this] { io_.run(); }};
    test::temp_dir tmp_;
    std::unique_ptr<topic_manager> topics_;
    std::unique_ptr<offsets_store> store_;
};

TEST_F(offsets_store_test, without_the_topic_or_its_leadership_nothing_is_committed) {
    EXPECT_TRUE(store_->replicated());
    EXPECT_EQ(store_->state(), coordinator_state::not_coordinator);
    auto r = store_->append("g", {"orders", 0}, 5);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::not_leader);
    auto& p = offsets_partition();
    p.follow_in_cluster(1, 2, "127.0.0.1:9002");
    r = store_->append("g", {"orders", 0}, 5);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::not_leader);
    EXPECT_EQ(p.local_end(), 0);
}

TEST_F(offsets_store_test, a_commit_is_answered_once_every_in_sync_replica_has_it) {
    auto& p = offsets_partition();
    ASSERT_TRUE(p.lead_in_cluster(1, {1, 2}, 0).ok());
    auto end = store_->append("g", {"orders", 1}, 7);
    ASSERT_TRUE(end.ok()) << end.error().to_string();
    EXPECT_EQ(*end, 1);
    EXPECT_EQ(p.leader_epoch(), 1);
    auto f = synced(*end);
    EXPECT_EQ(f.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);  // replica 2 has not fetched it
    p.follower_fetched(2, 0, 0);
    EXPECT_EQ(f.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
    p.follower_fetched(2, 1, 0);
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());
}

TEST_F(offsets_store_test, an_appended_commit_is_made_durable_for_the_followers_without_a_wait) {
    // An implicit commit (a group fetch's) is not waited for; under
    // flush=always a follower may copy it only once it is fsynced, which
    // must not wait for an explicit commit (the coordinator may die first).
    auto& p = offsets_partition();
    ASSERT_TRUE(p.lead_in_cluster(1, {1, 2}, 0).ok());
    ASSERT_TRUE(store_->append("g", {"orders", 0}, 3).ok());
    for (int i = 0; i < 500 && p.local_end() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(p.local_end(), 1);
}

TEST_F(offsets_store_test, a_wait_ends_with_not_leader_when_the_leadership_moves) {
    auto& p = offsets_partition();
    ASSERT_TRUE(p.lead_in_cluster(1, {1, 2}, 0).ok());
    ASSERT_TRUE(store_->append("g", {"orders", 0}, 3).ok());
    auto f = synced(1);
    p.follow_in_cluster(2, 2, "127.0.0.1:9002");
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(f.get().code(), status_code::not_leader);
}

TEST_F(offsets_store_test, taking_over_rebuilds_the_committed_offsets_and_handing_off_forgets_them) {
    auto& p = offsets_partition();
    ASSERT_TRUE(p.lead_in_cluster(1, {1}, 0).ok());
    auto g = groups();
    ASSERT_TRUE(g.commit("a", {"orders", 0}, 4).ok());
    ASSERT_TRUE(g.commit("a", {"orders", 1}, 2).ok());
    ASSERT_TRUE(g.commit("a", {"orders", 0}, 9).ok());
    ASSERT_TRUE(g.commit("b", {"orders", 1}, 1).ok());
    auto f = synced(store_->log_end());
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());

    auto fresh = groups();  // another broker's coordinator, empty
    ASSERT_TRUE(fresh.heartbeat("m", "c1", "orders", 0, 0).ok());
    ASSERT_TRUE(store_->take_over(fresh).ok());
    EXPECT_EQ(store_->state(), coordinator_state::serving);
    EXPECT_EQ(fresh.committed("a", {"orders", 0}), 9);
    EXPECT_EQ(fresh.committed("a", {"orders", 1}), 2);
    EXPECT_EQ(fresh.committed("b", {"orders", 1}), 1);
    EXPECT_FALSE(fresh.describe("m"));  // membership is not replicated: members join again

    store_->hand_off(fresh);
    EXPECT_EQ(store_->state(), coordinator_state::not_coordinator);
    EXPECT_FALSE(fresh.committed("a", {"orders", 0}));
}

TEST_F(offsets_store_test, the_local_log_and_the_topic_hold_the_same_records) {
    auto& p = offsets_partition();
    ASSERT_TRUE(p.lead_in_cluster(1, {1}, 0).ok());
    auto local = offsets_store::open(tmp_.path() / "lone", {});
    ASSERT_TRUE(local.ok());
    EXPECT_FALSE((*local)->replicated());
    EXPECT_EQ((*local)->state(), coordinator_state::serving);
    for (auto* s : {local->get(), store_.get()}) {
        ASSERT_TRUE(s->append("g", {"orders", 1}, 12).ok());
        ASSERT_TRUE(s->append("g", {"orders", 1}, -1).ok());
    }
    auto seen = [](offsets_store& s) {
        std::vector<std::string> out;
        EXPECT_TRUE(s.replay([&](const std::string& g, const topic_partition& tp, log::offset_t o) {
                         out.push_back(g + "/" + tp.topic + "/" + std::to_string(tp.partition) + "=" +
                                       std::to_string(o));
                     }).ok());
        return out;
    };
    EXPECT_EQ(seen(**local), (std::vector<std::string>{"g/orders/1=12", "g/orders/1=-1"}));
    EXPECT_EQ(seen(*store_), seen(**local));
}

TEST(group_coordinator_of, is_the_live_leader_of_the_offsets_partition) {
    cluster::cluster_view v;
    v.brokers = {{1, "h1", 9001, "h1", 9092, true}, {2, "h2", 9002, "h2", 9093, true}};
    EXPECT_FALSE(cluster::group_coordinator_of(v));
    v.partitions = {{"orders", 0, 1, 0, {1}, {1}}, {std::string(rules::offsets_topic), 0, 2, 3, {2, 1}, {2, 1}}};
    auto c = cluster::group_coordinator_of(v);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, 2);
    EXPECT_EQ(c->port, 9002);
    v.brokers[1].live = false;
    EXPECT_FALSE(cluster::group_coordinator_of(v));
}

}  // namespace
}  // namespace gafka::broker
