// The group coordinator alone (DESIGN.md section 7): membership, round-robin
// assignment under a generation, session expiry on an explicit clock, the
// ownership fence, and committed offsets written through the persister.
#include "gafka/broker/group_coordinator.h"

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace gafka {
// gtest prints a status_code by name (defined alike in each test file).
inline void PrintTo(status_code code, std::ostream* os) { *os << to_string(code); }
}  // namespace gafka

namespace gafka::broker {

inline void PrintTo(const topic_partition& tp, std::ostream* os) { *os << tp.topic << "/" << tp.partition; }

namespace {

using tps = std::vector<topic_partition>;

// The partitions of `topic` numbered `ids`.
tps of(const std::string& topic, std::vector<std::int32_t> ids) {
    tps out;
    for (auto p : ids) out.push_back({topic, p});
    return out;
}

class group_coordinator_test : public ::testing::Test {
protected:
    using commit_call = std::tuple<std::string, topic_partition, log::offset_t>;

    // Joins (or heartbeats) `consumer` of group "g" reading "orders" at `now_ms`.
    membership join(const std::string& consumer, std::int64_t now_ms = 0, std::int64_t session_timeout_ms = 0) {
        auto m = groups_.heartbeat("g", consumer, "orders", session_timeout_ms, now_ms);
        EXPECT_TRUE(m.ok()) << m.error().to_string();
        return m.ok() ? *m : membership{};
    }
    tps assignment(const std::string& consumer) const {
        auto v = groups_.describe("g");
        if (!v) return {};
        for (const auto& m : v->members)
            if (m.consumer_id == consumer) return m.assignment;
        return {};
    }
    generation_t generation() const {
        auto v = groups_.describe("g");
        return v ? v->generation : -1;
    }

    std::map<std::string, std::int32_t> partitions_{{"orders", 6}};
    std::vector<commit_call> persisted_;
    status persist_result_;
    group_coordinator groups_{
        [this](const std::string& topic) {
            auto it = partitions_.find(topic);
            return it == partitions_.end() ? 0 : it->second;
        },
        [this](const std::string& group, const topic_partition& tp, log::offset_t offset) {
            persisted_.emplace_back(group, tp, offset);
            return persist_result_;
        }};
};

TEST_F(group_coordinator_test, first_member_gets_every_partition_at_generation_1) {
    auto m = join("c1");
    EXPECT_TRUE(m.rebalanced);
    EXPECT_EQ(m.generation, 1);
    EXPECT_EQ(m.assignment, of("orders", {0, 1, 2, 3, 4, 5}));
}

TEST_F(group_coordinator_test, second_member_starts_generation_2_and_splits_round_robin_by_sorted_id) {
    join("b");
    auto a = join("a");  // sorts before "b", so it is dealt partition 0
    EXPECT_TRUE(a.rebalanced);
    EXPECT_EQ(a.generation, 2);
    EXPECT_EQ(a.assignment, of("orders", {0, 2, 4}));
    auto b = join("b");
    EXPECT_FALSE(b.rebalanced);
    EXPECT_EQ(b.generation, 2);
    EXPECT_EQ(b.assignment, of("orders", {1, 3, 5}));
}

TEST_F(group_coordinator_test, heartbeat_of_a_known_member_does_not_rebalance) {
    join("c1");
    auto again = join("c1", 500);
    EXPECT_FALSE(again.rebalanced);
    EXPECT_EQ(again.generation, 1);
}

TEST_F(group_coordinator_test, leaving_hands_the_partitions_to_the_rest_and_bumps_the_generation) {
    join("a");
    join("b");
    ASSERT_EQ(generation(), 2);
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    EXPECT_EQ(generation(), 3);
    EXPECT_EQ(assignment("b"), of("orders", {0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(groups_.describe("g")->members.size(), 1u);
}

TEST_F(group_coordinator_test, leave_of_a_non_member_is_not_found) {
    join("a");
    EXPECT_EQ(groups_.leave("g", "nobody", 0).code(), status_code::not_found);
    EXPECT_EQ(groups_.leave("no-such-group", "a", 0).code(), status_code::not_found);
    EXPECT_EQ(generation(), 1);
}

TEST_F(group_coordinator_test, member_expires_after_its_session_timeout_and_not_before) {
    join("a", 0);
    join("b", 0);
    EXPECT_EQ(groups_.expire(9'999), 0);
    EXPECT_EQ(groups_.expire(10'000), 0);  // exactly the timeout: still alive
    EXPECT_EQ(generation(), 2);
    join("b", 5'000);
    EXPECT_EQ(groups_.expire(10'001), 1);
    EXPECT_EQ(generation(), 3);
    EXPECT_EQ(assignment("b"), of("orders", {0, 1, 2, 3, 4, 5}));
}

TEST_F(group_coordinator_test, heartbeats_keep_a_member_alive) {
    join("a", 0);
    for (std::int64_t t = 3'000; t <= 60'000; t += 3'000) {
        join("a", t);
        EXPECT_EQ(groups_.expire(t + 9'000), 0) << "at " << t;
    }
    EXPECT_EQ(generation(), 1);
    EXPECT_EQ(groups_.expire(60'000 + 10'001), 1);
}

TEST_F(group_coordinator_test, member_session_timeout_is_its_own) {
    join("a", 0, 2'000);
    join("b", 0);
    EXPECT_EQ(groups_.expire(2'000), 0);
    EXPECT_EQ(groups_.expire(2'001), 1);
    ASSERT_EQ(groups_.describe("g")->members.size(), 1u);
    EXPECT_EQ(groups_.describe("g")->members[0].consumer_id, "b");
    EXPECT_EQ(groups_.describe("g")->members[0].session_timeout_ms, group_coordinator::default_session_timeout_ms);
}

TEST_F(group_coordinator_test, expired_member_that_comes_back_rejoins_under_a_new_generation) {
    join("a", 0);
    ASSERT_EQ(groups_.expire(20'000), 1);
    auto back = join("a", 20'000);
    EXPECT_TRUE(back.rebalanced);
    EXPECT_EQ(back.generation, 3);  // 1 join, 2 expiry, 3 rejoin
    EXPECT_EQ(back.assignment, of("orders", {0, 1, 2, 3, 4, 5}));
}

TEST_F(group_coordinator_test, owner_at_the_current_generation_passes_the_fence) {
    auto a = join("a");
    EXPECT_TRUE(groups_.check_owner("g", "a", a.generation, {"orders", 3}).ok());
    EXPECT_TRUE(groups_.check_owner("g", "a", -1, {"orders", 3}).ok());
}

TEST_F(group_coordinator_test, stale_generation_is_fenced) {
    auto old = join("a");
    join("b");
    // "a" still owns partition 0 after the rebalance, but at generation 2.
    ASSERT_EQ(assignment("a"), of("orders", {0, 2, 4}));
    auto s = groups_.check_owner("g", "a", old.generation, {"orders", 0});
    EXPECT_EQ(s.code(), status_code::conflict);
    EXPECT_EQ(s.message(), "stale generation 1; the group is at 2");
    EXPECT_TRUE(groups_.check_owner("g", "a", 2, {"orders", 0}).ok());
}

TEST_F(group_coordinator_test, partition_of_another_member_is_fenced) {
    join("a");
    join("b");
    auto s = groups_.check_owner("g", "a", 2, {"orders", 1});
    EXPECT_EQ(s.code(), status_code::conflict);
    EXPECT_EQ(s.message(), "orders/1 is owned by 'b'");
}

TEST_F(group_coordinator_test, non_member_and_unknown_partition_are_fenced) {
    join("a");
    EXPECT_EQ(groups_.check_owner("g", "stranger", -1, {"orders", 0}).code(), status_code::conflict);
    EXPECT_EQ(groups_.check_owner("other", "a", -1, {"orders", 0}).code(), status_code::conflict);
    auto s = groups_.check_owner("g", "a", -1, {"orders", 6});
    EXPECT_EQ(s.code(), status_code::conflict);
    EXPECT_EQ(s.message(), "orders/6 is owned by nobody");
}

TEST_F(group_coordinator_test, more_members_than_partitions_leaves_the_last_without_any) {
    partitions_["orders"] = 2;
    join("c");
    join("b");
    auto a = join("a");
    EXPECT_EQ(a.generation, 3);
    EXPECT_EQ(assignment("a"), of("orders", {0}));
    EXPECT_EQ(assignment("b"), of("orders", {1}));
    EXPECT_EQ(assignment("c"), tps{});
    EXPECT_EQ(join("c").assignment, tps{});
    EXPECT_EQ(groups_.check_owner("g", "c", 3, {"orders", 0}).code(), status_code::conflict);
}

TEST_F(group_coordinator_test, members_share_only_the_topics_they_read) {
    partitions_["audit"] = 2;
    join("a");
    auto b = groups_.heartbeat("g", "b", "audit", 0, 0);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->generation, 2);
    EXPECT_EQ(b->assignment, of("audit", {0, 1}));
    EXPECT_EQ(assignment("a"), of("orders", {0, 1, 2, 3, 4, 5}));
}

TEST_F(group_coordinator_test, heartbeat_without_a_topic_joins_with_no_partitions) {
    auto m = groups_.heartbeat("g", "idle", "", 0, 0);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(m->rebalanced);
    EXPECT_EQ(m->generation, 1);
    EXPECT_EQ(m->assignment, tps{});
}

TEST_F(group_coordinator_test, topic_that_grows_partitions_is_rebalanced_on_the_next_heartbeat) {
    partitions_["orders"] = 2;
    ASSERT_EQ(join("a").assignment, of("orders", {0, 1}));
    partitions_["orders"] = 4;
    auto m = join("a", 1'000);
    EXPECT_TRUE(m.rebalanced);
    EXPECT_EQ(m.generation, 2);
    EXPECT_EQ(m.assignment, of("orders", {0, 1, 2, 3}));
}

TEST_F(group_coordinator_test, unknown_group_is_not_described) {
    EXPECT_FALSE(groups_.describe("nope").has_value());
    EXPECT_TRUE(groups_.list().empty());
}

TEST_F(group_coordinator_test, group_without_members_or_commits_is_not_described_or_listed) {
    join("a");
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    EXPECT_FALSE(groups_.describe("g").has_value());
    EXPECT_TRUE(groups_.list().empty());
}

TEST_F(group_coordinator_test, group_without_members_stays_listed_while_it_has_commits) {
    join("a");
    ASSERT_TRUE(groups_.commit("g", {"orders", 2}, 7).ok());
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    auto v = groups_.describe("g");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->members.empty());
    EXPECT_EQ(v->generation, 2);
    EXPECT_EQ(v->committed, (std::map<topic_partition, log::offset_t>{{{"orders", 2}, 7}}));
    ASSERT_EQ(groups_.list().size(), 1u);
    EXPECT_EQ(groups_.list()[0].group_id, "g");
}

TEST_F(group_coordinator_test, commit_is_persisted_then_visible) {
    EXPECT_FALSE(groups_.committed("g", {"orders", 1}).has_value());
    ASSERT_TRUE(groups_.commit("g", {"orders", 1}, 42).ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 1}), 42);
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
    EXPECT_EQ(persisted_, (std::vector<commit_call>{{"g", {"orders", 1}, 42}}));
}

TEST_F(group_coordinator_test, negative_commit_is_rejected_and_not_persisted) {
    EXPECT_EQ(groups_.commit("g", {"orders", 1}, -1).code(), status_code::invalid_argument);
    EXPECT_TRUE(persisted_.empty());
    EXPECT_FALSE(groups_.committed("g", {"orders", 1}).has_value());
}

TEST_F(group_coordinator_test, commit_that_fails_to_persist_is_not_visible) {
    ASSERT_TRUE(groups_.commit("g", {"orders", 1}, 5).ok());
    persist_result_ = status::io_error("disk full");
    auto s = groups_.commit("g", {"orders", 1}, 9);
    EXPECT_EQ(s.code(), status_code::io_error);
    EXPECT_EQ(groups_.committed("g", {"orders", 1}), 5);
}

TEST_F(group_coordinator_test, restore_replays_commits_and_minus_one_erases) {
    groups_.restore("g", {"orders", 0}, 10);
    groups_.restore("g", {"orders", 0}, 12);
    groups_.restore("g", {"orders", 1}, 3);
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 12);
    groups_.restore("g", {"orders", 0}, -1);
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
    EXPECT_EQ(groups_.committed("g", {"orders", 1}), 3);
    EXPECT_TRUE(persisted_.empty());  // replay does not write the log again
}

TEST_F(group_coordinator_test, reset_is_refused_while_the_group_has_members) {
    join("a");
    auto s = groups_.reset("g", {{{"orders", 0}, 0}});
    EXPECT_EQ(s.code(), status_code::conflict);
    EXPECT_TRUE(persisted_.empty());
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, reset_of_an_empty_group_commits_every_offset) {
    ASSERT_TRUE(groups_.reset("g", {{{"orders", 0}, 4}, {{"orders", 1}, 0}}).ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 4);
    EXPECT_EQ(groups_.committed("g", {"orders", 1}), 0);
    EXPECT_EQ(persisted_.size(), 2u);
}

TEST_F(group_coordinator_test, remove_group_writes_a_tombstone_per_committed_partition) {
    ASSERT_TRUE(groups_.commit("g", {"orders", 0}, 4).ok());
    ASSERT_TRUE(groups_.commit("g", {"orders", 3}, 8).ok());
    persisted_.clear();
    ASSERT_TRUE(groups_.remove_group("g").ok());
    EXPECT_EQ(persisted_, (std::vector<commit_call>{{"g", {"orders", 0}, -1}, {"g", {"orders", 3}, -1}}));
    EXPECT_FALSE(groups_.describe("g").has_value());
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, remove_group_is_refused_while_it_has_members) {
    join("a");
    ASSERT_TRUE(groups_.commit("g", {"orders", 0}, 4).ok());
    persisted_.clear();
    EXPECT_EQ(groups_.remove_group("g").code(), status_code::conflict);
    EXPECT_TRUE(persisted_.empty());
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 4);
}

TEST_F(group_coordinator_test, remove_group_of_an_unknown_group_is_not_found) {
    EXPECT_EQ(groups_.remove_group("nope").code(), status_code::not_found);
    EXPECT_TRUE(persisted_.empty());
}

// A group whose members all left without committing does not exist for
// status (describe) nor for delete (remove_group).
TEST_F(group_coordinator_test, remove_group_of_a_group_that_describe_does_not_know_is_not_found) {
    join("a");
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    ASSERT_FALSE(groups_.describe("g").has_value());
    EXPECT_EQ(groups_.remove_group("g").code(), status_code::not_found);
}

// Deleting a topic (the topic manager forgot it, then remove_topic) takes
// its offsets along in every group, durably; a new topic of the same name
// starts with none.
TEST_F(group_coordinator_test, remove_topic_drops_and_persists_the_deletion_of_every_groups_offsets_of_it) {
    partitions_["audit"] = 1;
    ASSERT_TRUE(groups_.commit("g", {"orders", 0}, 4).ok());
    ASSERT_TRUE(groups_.commit("g", {"audit", 0}, 2).ok());
    ASSERT_TRUE(groups_.commit("h", {"orders", 5}, 9).ok());
    persisted_.clear();
    partitions_.erase("orders");
    ASSERT_TRUE(groups_.remove_topic("orders", 0).ok());
    EXPECT_EQ(persisted_, (std::vector<commit_call>{{"g", {"orders", 0}, -1}, {"h", {"orders", 5}, -1}}));
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
    EXPECT_EQ(groups_.committed("g", {"audit", 0}), 2);
    EXPECT_FALSE(groups_.describe("h").has_value());  // nothing left: the group is gone
    partitions_["orders"] = 6;
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, commit_of_a_topic_or_partition_that_does_not_exist_is_not_found_and_not_persisted) {
    EXPECT_EQ(groups_.commit("g", {"gone", 0}, 1).code(), status_code::not_found);
    EXPECT_EQ(groups_.commit("g", {"orders", 6}, 1).code(), status_code::not_found);
    EXPECT_TRUE(persisted_.empty());
}

TEST_F(group_coordinator_test, a_batch_delivered_before_its_topic_was_deleted_is_not_committed_onto_the_new_one) {
    join("a");
    ASSERT_TRUE(
        groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}, "s", groups_.topic_incarnation("orders")).ok());
    auto before = generation();
    partitions_.erase("orders");
    ASSERT_TRUE(groups_.remove_topic("orders", 1).ok());
    EXPECT_EQ(generation(), before + 1);  // the group read it: a rebalance
    EXPECT_TRUE(assignment("a").empty());
    partitions_["orders"] = 6;  // re-created, and the member reads it again: no hand-over of the old one in the way
    EXPECT_EQ(join("a", 2).assignment, of("orders", {0, 1, 2, 3, 4, 5}));
    EXPECT_FALSE(groups_.revoking("g", {"orders", 0}, 2));
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "s").ok());
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, a_batch_read_while_its_topic_was_deleted_is_dropped_when_remembered) {
    join("a");
    auto incarnation = groups_.topic_incarnation("orders");  // the fetch starts
    ASSERT_TRUE(groups_.remove_topic("orders", 1).ok());      // meanwhile deleted (and re-created)
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}, "s", incarnation).ok());
    join("a", 2);
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "s").ok());
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, delivered_batch_is_committed_by_the_next_fetch_once) {
    join("a");
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}, {{"orders", 2}, 9}}).ok());
    EXPECT_TRUE(persisted_.empty());
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 5);
    EXPECT_EQ(groups_.committed("g", {"orders", 2}), 9);
    EXPECT_EQ(persisted_.size(), 2u);
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_EQ(persisted_.size(), 2u);
}

TEST_F(group_coordinator_test, delivered_offsets_of_a_non_member_are_dropped) {
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}).ok());
    join("a");
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}).ok());
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_TRUE(persisted_.empty());
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, delivered_commit_that_fails_to_persist_is_reported) {
    join("a");
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}).ok());
    persist_result_ = status::io_error("disk full");
    EXPECT_EQ(groups_.commit_delivered("g", "a").code(), status_code::io_error);
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
}

TEST_F(group_coordinator_test, partition_moving_with_an_uncommitted_batch_waits_for_its_old_owner) {
    join("a", 0);
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 1}, 4}}).ok());
    join("b", 100);  // b is dealt 1, 3, 5
    EXPECT_TRUE(groups_.revoking("g", {"orders", 1}, 200));
    EXPECT_FALSE(groups_.revoking("g", {"orders", 3}, 200));  // a delivered nothing of it
    EXPECT_TRUE(groups_.check_owner("g", "a", -1, {"orders", 1}).ok());  // a may still commit it
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 1}), 4);
    EXPECT_FALSE(groups_.revoking("g", {"orders", 1}, 300));
    EXPECT_EQ(groups_.check_owner("g", "a", -1, {"orders", 1}).code(), status_code::conflict);
}

TEST_F(group_coordinator_test, hand_over_ends_after_the_old_owners_session_timeout) {
    join("a", 0);
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 1}, 4}}).ok());
    join("b", 100);
    EXPECT_TRUE(groups_.revoking("g", {"orders", 1}, 100 + 10'000));
    EXPECT_FALSE(groups_.revoking("g", {"orders", 1}, 100 + 10'001));
    // Too late: the batch of the partition that moved is not committed.
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_FALSE(groups_.committed("g", {"orders", 1}).has_value());
}

TEST_F(group_coordinator_test, hand_over_ends_when_the_old_owner_leaves_without_committing) {
    join("a", 0);
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 1}, 4}}).ok());
    join("b", 100);
    ASSERT_TRUE(groups_.revoking("g", {"orders", 1}, 200));
    ASSERT_TRUE(groups_.leave("g", "a", 0).ok());
    EXPECT_FALSE(groups_.revoking("g", {"orders", 1}, 200));
    EXPECT_FALSE(groups_.committed("g", {"orders", 1}).has_value());
}

TEST_F(group_coordinator_test, hand_over_ends_when_the_old_owner_expires) {
    join("a", 0);
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 1}, 4}}).ok());
    join("b", 5'000);
    ASSERT_TRUE(groups_.revoking("g", {"orders", 1}, 5'000));
    ASSERT_EQ(groups_.expire(10'001), 1);
    EXPECT_FALSE(groups_.revoking("g", {"orders", 1}, 10'001));
}

// A hand-over that a leave causes starts at the leave's time, so the new
// owner waits for the old one's uncommitted batch.
TEST_F(group_coordinator_test, hand_over_caused_by_a_leave_waits_for_the_old_owner) {
    const std::int64_t t = 1'000'000;
    join("a", t);
    join("b", t);
    join("c", t);  // a: 0 3, b: 1 4, c: 2 5
    ASSERT_EQ(assignment("b"), of("orders", {1, 4}));
    ASSERT_TRUE(groups_.remember_delivered("g", "b", {{{"orders", 1}, 7}}).ok());
    ASSERT_TRUE(groups_.leave("g", "a", t + 50).ok());  // b: 0 2 4, c: 1 3 5
    ASSERT_EQ(assignment("c"), of("orders", {1, 3, 5}));
    EXPECT_TRUE(groups_.revoking("g", {"orders", 1}, t + 100));
}

TEST_F(group_coordinator_test, session_timeout_outside_1s_to_300s_is_rejected) {
    EXPECT_EQ(groups_.heartbeat("g", "a", "orders", 999, 0).error().code(), status_code::invalid_argument);
    EXPECT_EQ(groups_.heartbeat("g", "a", "orders", 300'001, 0).error().code(), status_code::invalid_argument);
    EXPECT_FALSE(groups_.describe("g").has_value());  // a rejected heartbeat joins nobody
    ASSERT_TRUE(groups_.heartbeat("g", "a", "orders", 1'000, 0).ok());
    ASSERT_TRUE(groups_.heartbeat("g", "b", "orders", 300'000, 0).ok());
    auto v = groups_.describe("g");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->members[0].session_timeout_ms, 1'000);
    EXPECT_EQ(v->members[1].session_timeout_ms, 300'000);
}

TEST_F(group_coordinator_test, zero_session_timeout_keeps_the_current_one) {
    join("a", 0, 30'000);
    join("a", 1'000, 0);
    EXPECT_EQ(groups_.describe("g")->members[0].session_timeout_ms, 30'000);
    EXPECT_EQ(groups_.describe("g")->members[0].last_heartbeat_ms, 1'000);
}

TEST(assignment_deal_test, round_robin_deals_partition_p_to_member_p_mod_n) {
    std::vector<std::string> ab{"a", "b"};
    EXPECT_EQ(deal(assignment_strategy::round_robin, 5, ab), (std::vector<std::string>{"a", "b", "a", "b", "a"}));
}

TEST(assignment_deal_test, range_gives_contiguous_runs_and_the_remainder_to_the_first_members) {
    std::vector<std::string> abc{"a", "b", "c"};
    EXPECT_EQ(deal(assignment_strategy::range, 7, abc),
              (std::vector<std::string>{"a", "a", "a", "b", "b", "c", "c"}));
    EXPECT_EQ(deal(assignment_strategy::range, 2, abc), (std::vector<std::string>{"a", "b"}));  // c gets none
    EXPECT_EQ(deal(assignment_strategy::range, 6, abc),
              (std::vector<std::string>{"a", "a", "b", "b", "c", "c"}));
    EXPECT_TRUE(deal(assignment_strategy::range, 6, {}).empty());
}

TEST(assignment_deal_test, strategy_names_round_trip) {
    for (auto s : {assignment_strategy::round_robin, assignment_strategy::range})
        EXPECT_EQ(parse_assignment_strategy(to_string(s)), s);
    EXPECT_FALSE(parse_assignment_strategy("sticky").has_value());
}

TEST_F(group_coordinator_test, the_first_member_chooses_range_and_the_group_deals_by_it) {
    ASSERT_TRUE(groups_.heartbeat("g", "a", "orders", 0, 0, false, assignment_strategy::range).ok());
    join("b");  // asks for nothing: follows the group
    EXPECT_EQ(groups_.describe("g")->strategy, assignment_strategy::range);
    EXPECT_EQ(assignment("a"), of("orders", {0, 1, 2}));
    EXPECT_EQ(assignment("b"), of("orders", {3, 4, 5}));
}

TEST_F(group_coordinator_test, a_member_asking_for_another_strategy_is_refused_and_changes_nothing) {
    join("a");
    join("b");
    auto gen = generation();
    auto r = groups_.heartbeat("g", "c", "orders", 0, 0, false, assignment_strategy::range);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::conflict);
    EXPECT_EQ(generation(), gen);
    EXPECT_EQ(groups_.describe("g")->members.size(), 2u);
    EXPECT_EQ(groups_.describe("g")->strategy, assignment_strategy::round_robin);
}

TEST_F(group_coordinator_test, a_member_alone_may_switch_strategy_and_an_emptied_group_starts_over) {
    join("a");
    ASSERT_TRUE(groups_.heartbeat("g", "a", "orders", 0, 0, false, assignment_strategy::range).ok());
    EXPECT_EQ(groups_.describe("g")->strategy, assignment_strategy::range);
    ASSERT_TRUE(groups_.leave("g", "a", 1).ok());
    join("b", 2);  // the group was empty: back to the default
    EXPECT_EQ(groups_.describe("g")->strategy, assignment_strategy::round_robin);
}

TEST_F(group_coordinator_test, a_batch_delivered_to_one_session_is_not_committed_by_another_reusing_the_id) {
    join("a");
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}, "pid-1").ok());
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "pid-2").ok());  // a restarted process: it never saw the batch
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}, "pid-2").ok());
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "pid-2").ok());  // the same process asks for more: processed
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 5);
}

// Joins `consumer` of group "g" reading "orders" as client process `session`.
result<membership> join_as(group_coordinator& groups, const std::string& consumer, const std::string& session,
                           std::int64_t now_ms = 0) {
    return groups.heartbeat("g", consumer, "orders", 0, now_ms, true, std::nullopt, session);
}

TEST_F(group_coordinator_test, a_new_session_takes_the_member_over_without_a_rebalance_and_fences_the_old_one) {
    ASSERT_TRUE(join_as(groups_, "a", "old").ok());
    join("b");
    auto gen = generation();
    auto before = assignment("a");
    ASSERT_TRUE(join_as(groups_, "a", "new", 1).ok());
    EXPECT_EQ(generation(), gen);
    EXPECT_EQ(assignment("a"), before);
    auto r = join_as(groups_, "a", "old", 2);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::fenced);
    EXPECT_TRUE(join_as(groups_, "a", "new", 3).ok());  // no flip-flop: the new one stays
}

TEST_F(group_coordinator_test, a_fenced_session_can_neither_touch_commit_deliver_nor_leave) {
    ASSERT_TRUE(join_as(groups_, "a", "old").ok());
    ASSERT_TRUE(join_as(groups_, "a", "new").ok());
    EXPECT_FALSE(groups_.touch("g", "a", 5, "old").has_value());
    EXPECT_EQ(groups_.describe("g")->members[0].last_heartbeat_ms, 0);  // not kept alive by the old one
    EXPECT_EQ(groups_.check_owner("g", "a", -1, {"orders", 0}, "old").code(), status_code::fenced);
    EXPECT_EQ(groups_.commit_delivered("g", "a", "old").code(), status_code::fenced);
    EXPECT_EQ(groups_.leave("g", "a", 5, "old").code(), status_code::fenced);
    EXPECT_EQ(groups_.describe("g")->members.size(), 1u);
    EXPECT_TRUE(groups_.touch("g", "a", 5, "new").has_value());
}

TEST_F(group_coordinator_test, a_batch_read_by_a_session_fenced_meanwhile_is_refused_and_does_not_replace_the_new_ones) {
    ASSERT_TRUE(join_as(groups_, "a", "old").ok());  // its fetch starts reading
    ASSERT_TRUE(join_as(groups_, "a", "new").ok());  // the new process joins meanwhile
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 3}}, "new").ok());
    EXPECT_EQ(groups_.remember_delivered("g", "a", {{{"orders", 0}, 9}}, "old").code(), status_code::fenced);
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "new").ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 3);  // the new one's batch, not the old one's
}

TEST_F(group_coordinator_test, a_restarted_process_takes_over_at_once_and_gets_the_old_batch_again) {
    ASSERT_TRUE(join_as(groups_, "a", "killed").ok());
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 5}}, "killed").ok());
    ASSERT_TRUE(groups_.commit_delivered("g", "a", "restarted").ok());
    auto m = join_as(groups_, "a", "restarted", 1);  // well within the killed one's session
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->assignment, of("orders", {0, 1, 2, 3, 4, 5}));
    EXPECT_FALSE(groups_.committed("g", {"orders", 0}).has_value());  // delivered again from the start
}

TEST_F(group_coordinator_test, calls_without_a_session_are_never_fenced_and_take_nothing_over) {
    join("a");  // a plain HTTP client
    ASSERT_TRUE(join_as(groups_, "a", "s1").ok());
    join("a", 1);  // still works, and s1 keeps the member
    EXPECT_TRUE(groups_.touch("g", "a", 2, "s1").has_value());
    ASSERT_TRUE(groups_.remember_delivered("g", "a", {{{"orders", 0}, 2}}).ok());
    ASSERT_TRUE(groups_.commit_delivered("g", "a").ok());
    EXPECT_EQ(groups_.committed("g", {"orders", 0}), 2);
    EXPECT_TRUE(groups_.leave("g", "a", 3).ok());
}

TEST_F(group_coordinator_test, a_member_that_left_forgets_its_sessions) {
    ASSERT_TRUE(join_as(groups_, "a", "old").ok());
    ASSERT_TRUE(join_as(groups_, "a", "new").ok());
    ASSERT_TRUE(groups_.leave("g", "a", 1, "new").ok());
    EXPECT_TRUE(join_as(groups_, "a", "old", 2).ok());  // a new member now
}

}  // namespace
}  // namespace gafka::broker
