#include "gafka/broker/classic_groups.h"

#include <gtest/gtest.h>

#include "gafka/broker/group_coordinator.h"

namespace gafka::broker {
namespace {

join_request request(const std::string& member, std::vector<std::string> assignors = {"range", "roundrobin"}) {
    join_request r;
    r.group = "g";
    r.member_id = member;
    r.client_id = "rdkafka";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 10'000;
    r.rebalance_timeout_ms = 20'000;
    r.protocol_type = "consumer";
    for (auto& a : assignors) r.protocols.push_back({a, "meta-of-" + a});
    return r;
}

class classic_groups_test : public ::testing::Test {
protected:
    // Joins as a new member (v5: asks for an id first); returns its id.
    std::string join_new(std::int64_t now, std::vector<std::string> assignors = {"range", "roundrobin"}) {
        auto r = request("", assignors);
        r.require_known_member_id = true;
        std::string id;
        auto first = groups_.join(r, id, now);
        EXPECT_TRUE(first && first->error == group_error::member_id_required);
        r.member_id = first->member_id;
        EXPECT_FALSE(r.member_id.empty());
        EXPECT_EQ(groups_.join(r, id, now), std::nullopt);
        EXPECT_EQ(id, r.member_id);
        return id;
    }

    classic_groups groups_;
};

TEST_F(classic_groups_test, a_lone_member_leads_generation_one_and_gets_its_own_assignment) {
    auto a = join_new(1000);
    auto ans = groups_.join_done("g", a, 1000);
    ASSERT_TRUE(ans);
    EXPECT_EQ(ans->error, group_error::none);
    EXPECT_EQ(ans->generation, 1);
    EXPECT_EQ(ans->leader, a);
    EXPECT_EQ(ans->protocol_name, "range");
    ASSERT_EQ(ans->members.size(), 1u);
    EXPECT_EQ(ans->members[0].second, "meta-of-range");
    EXPECT_EQ(groups_.sync_done("g", a, 1, 1000), std::nullopt);  // no sync yet
    EXPECT_EQ(groups_.sync("g", a, 1, {{a, "parts"}}, 1000), group_error::none);
    auto s = groups_.sync_done("g", a, 1, 1000);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->assignment, "parts");
    EXPECT_EQ(groups_.heartbeat("g", a, 1, 2000), group_error::none);
    EXPECT_EQ(groups_.describe("g")->state, "Stable");
}

TEST_F(classic_groups_test, describe_shows_each_member_with_its_client_its_chosen_protocols_metadata_and_assignment) {
    auto a = join_new(1000, {"roundrobin", "range"});
    ASSERT_TRUE(groups_.join_done("g", a, 1000));
    auto v = groups_.describe("g");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->protocol_type, "consumer");
    EXPECT_EQ(v->protocol_name, "roundrobin");
    ASSERT_EQ(v->members.size(), 1u);
    EXPECT_EQ(v->members[0], (classic_member_view{a, "", "rdkafka", "/127.0.0.1", "meta-of-roundrobin", ""}))
        << "no assignment before the leader's sync";
    ASSERT_EQ(groups_.sync("g", a, 1, {{a, "parts"}}, 1000), group_error::none);
    EXPECT_EQ(groups_.describe("g")->members[0].assignment, "parts");
    EXPECT_EQ(groups_.list().at(0).members, groups_.describe("g")->members);
    ASSERT_EQ(groups_.leave("g", a, 1100), group_error::none);
    EXPECT_EQ(groups_.describe("g")->state, "Empty");
    EXPECT_TRUE(groups_.describe("g")->members.empty());
    EXPECT_EQ(groups_.describe("g")->protocol_type, "") << "an empty group has no protocol type";
}

TEST_F(classic_groups_test, a_second_member_makes_the_first_rejoin_and_the_leader_assigns_both) {
    auto a = join_new(1000);
    ASSERT_TRUE(groups_.join_done("g", a, 1000));
    ASSERT_EQ(groups_.sync("g", a, 1, {{a, "all"}}, 1000), group_error::none);

    auto b = join_new(1100);
    EXPECT_EQ(groups_.join_done("g", b, 1100), std::nullopt) << "waits for a to join again";
    EXPECT_EQ(groups_.heartbeat("g", a, 1, 1200), group_error::rebalance_in_progress);
    std::string id;
    EXPECT_EQ(groups_.join(request(a), id, 1300), std::nullopt);
    auto for_a = groups_.join_done("g", a, 1300), for_b = groups_.join_done("g", b, 1300);
    ASSERT_TRUE(for_a && for_b);
    EXPECT_EQ(for_a->generation, 2);
    EXPECT_EQ(for_a->leader, a) << "the leader stays while it is a member";
    EXPECT_EQ(for_a->members.size(), 2u);
    EXPECT_TRUE(for_b->members.empty()) << "only the leader gets the members";
    // b syncs first and waits for the leader's assignments.
    EXPECT_EQ(groups_.sync("g", b, 2, {}, 1400), group_error::none);
    EXPECT_EQ(groups_.sync_done("g", b, 2, 1400), std::nullopt);
    EXPECT_EQ(groups_.sync("g", a, 1, {}, 1400), group_error::illegal_generation);
    EXPECT_EQ(groups_.sync("g", a, 2, {{a, "p0"}, {b, "p1"}}, 1400), group_error::none);
    EXPECT_EQ(groups_.sync_done("g", b, 2, 1500)->assignment, "p1");
    EXPECT_EQ(groups_.sync_done("g", a, 2, 1500)->assignment, "p0");
}

TEST_F(classic_groups_test, a_join_gets_the_generation_it_completed_even_when_the_next_rebalance_began_before_it_asked) {
    // As with cooperative-sticky: the leader joins again the moment it has
    // its assignment (to hand over partitions), before b collected the
    // answer of the join that completed generation 2.
    auto a = join_new(1000);
    ASSERT_TRUE(groups_.join_done("g", a, 1000));
    ASSERT_EQ(groups_.sync("g", a, 1, {{a, "all"}}, 1000), group_error::none);
    auto b = join_new(1100);
    std::string id;
    EXPECT_EQ(groups_.join(request(a), id, 1200), std::nullopt);
    ASSERT_EQ(groups_.join_done("g", a, 1200)->generation, 2);
    ASSERT_EQ(groups_.sync("g", a, 2, {{a, "p0"}}, 1200), group_error::none);
    EXPECT_EQ(groups_.join(request(a), id, 1300), std::nullopt);  // generation 3 starts
    auto for_b = groups_.join_done("g", b, 1300);
    ASSERT_TRUE(for_b) << "b's join must not wait for a rebalance that waits for b";
    EXPECT_EQ(for_b->generation, 2);
    // b learns of the new rebalance, joins again, and generation 3 completes.
    EXPECT_EQ(groups_.sync("g", b, 2, {}, 1300), group_error::rebalance_in_progress);
    EXPECT_EQ(groups_.join(request(b), id, 1400), std::nullopt);
    EXPECT_EQ(groups_.join_done("g", b, 1400)->generation, 3);
    EXPECT_EQ(groups_.join_done("g", a, 1400)->generation, 3);
}

TEST_F(classic_groups_test, a_member_that_leaves_or_goes_silent_starts_a_rebalance_without_it) {
    auto a = join_new(0);
    ASSERT_TRUE(groups_.join_done("g", a, 0));
    auto b = join_new(0);
    std::string id;
    groups_.join(request(a), id, 0);
    ASSERT_TRUE(groups_.join_done("g", a, 0));
    ASSERT_EQ(groups_.sync("g", a, 2, {{a, "x"}, {b, "y"}}, 0), group_error::none);

    EXPECT_EQ(groups_.leave("g", b, 100), group_error::none);
    EXPECT_EQ(groups_.heartbeat("g", b, 2, 100), group_error::unknown_member);
    EXPECT_EQ(groups_.heartbeat("g", a, 2, 100), group_error::rebalance_in_progress);
    groups_.join(request(a), id, 200);
    auto again = groups_.join_done("g", a, 200);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->generation, 3);
    EXPECT_EQ(again->members.size(), 1u);

    // Silent past its session timeout (10 s): dropped, the group is empty.
    groups_.expire(200 + 10'001);
    EXPECT_EQ(groups_.heartbeat("g", a, 3, 200 + 10'002), group_error::unknown_member);
    EXPECT_EQ(groups_.describe("g")->state, "Empty");
}

TEST_F(classic_groups_test, a_member_that_does_not_rejoin_in_time_is_dropped_from_the_generation) {
    auto a = join_new(0);
    ASSERT_TRUE(groups_.join_done("g", a, 0));
    auto b = join_new(1000);
    // a keeps heartbeating (rebalance in progress) but never joins again.
    EXPECT_EQ(groups_.heartbeat("g", a, 1, 5000), group_error::rebalance_in_progress);
    EXPECT_EQ(groups_.join_done("g", b, 5000), std::nullopt);
    auto late = groups_.join_done("g", b, 1000 + 20'000);  // a's rebalance timeout
    ASSERT_TRUE(late);
    EXPECT_EQ(late->leader, b);
    EXPECT_EQ(late->members.size(), 1u);
    EXPECT_EQ(groups_.heartbeat("g", a, 1, 21'001), group_error::unknown_member);
}

TEST_F(classic_groups_test, joins_that_cannot_be_served_are_refused_at_once) {
    std::string id;
    auto bad_timeout = request("");
    bad_timeout.session_timeout_ms = 10;
    EXPECT_EQ(groups_.join(bad_timeout, id, 0)->error, group_error::invalid_session_timeout);
    EXPECT_EQ(groups_.join(request("made-up"), id, 0)->error, group_error::unknown_member);
    auto a = join_new(0, {"range"});
    ASSERT_TRUE(groups_.join_done("g", a, 0));
    EXPECT_EQ(groups_.join(request("", {"cooperative-sticky"}), id, 0)->error, group_error::inconsistent_protocol);

    classic_groups other_protocol([](const std::string& g) { return g == "http-group"; });
    auto r = request("");
    r.group = "http-group";
    EXPECT_EQ(other_protocol.join(r, id, 0)->error, group_error::inconsistent_protocol);
}

TEST_F(classic_groups_test, commits_need_the_current_member_and_generation_unless_the_group_is_empty) {
    EXPECT_EQ(groups_.check_commit("g", "", -1, 0), group_error::none) << "a plain commit to an unused group";
    auto a = join_new(0);
    ASSERT_TRUE(groups_.join_done("g", a, 0));
    EXPECT_EQ(groups_.check_commit("g", a, 1, 0), group_error::rebalance_in_progress) << "before the leader synced";
    ASSERT_EQ(groups_.sync("g", a, 1, {{a, "x"}}, 0), group_error::none);
    EXPECT_EQ(groups_.check_commit("g", a, 1, 0), group_error::none);
    EXPECT_EQ(groups_.check_commit("g", a, 0, 0), group_error::illegal_generation);
    EXPECT_EQ(groups_.check_commit("g", "someone", 1, 0), group_error::unknown_member);
    EXPECT_EQ(groups_.check_commit("g", "", -1, 0), group_error::unknown_member) << "the group has members";
}

// --- static members (KIP-345) ---

class static_members_test : public classic_groups_test {
protected:
    // Joins as static member `instance` with no member id, as librdkafka
    // does with group.instance.id (JoinGroup v5); returns the join's
    // immediate answer (nullopt: it waits for the rebalance) and its id.
    std::pair<std::optional<join_answer>, std::string> join_static(const std::string& instance, std::int64_t now,
                                                                   const std::string& member = "") {
        auto r = request(member);
        r.require_known_member_id = true;
        r.group_instance_id = instance;
        std::string id;
        auto a = groups_.join(r, id, now);
        return {a, id};
    }

    // A static member alone in a stable generation 1, assigned "parts".
    std::string stable_alone(const std::string& instance, std::int64_t now) {
        auto [a, id] = join_static(instance, now);
        EXPECT_EQ(a, std::nullopt);  // no MEMBER_ID_REQUIRED round
        EXPECT_FALSE(id.empty());
        auto done = groups_.join_done("g", id, now, instance);
        EXPECT_TRUE(done && done->generation == 1 && done->leader == id);
        EXPECT_EQ(done->instances.at(id), instance);  // the leader sees who is static
        EXPECT_EQ(groups_.sync("g", id, 1, {{id, "parts"}}, now, instance), group_error::none);
        return id;
    }
};

TEST_F(static_members_test, one_that_joins_again_with_no_member_id_takes_the_old_ones_place_without_a_rebalance) {
    auto old_id = stable_alone("host-1", 1000);
    auto [a, new_id] = join_static("host-1", 2000);
    ASSERT_TRUE(a);  // answered at once: the group stays stable
    EXPECT_EQ(a->error, group_error::none);
    EXPECT_NE(new_id, old_id);
    EXPECT_EQ(a->member_id, new_id);
    EXPECT_EQ(a->generation, 1);
    EXPECT_EQ(a->leader, old_id);  // as Kafka: the newcomer does not assign in a stable group
    EXPECT_TRUE(a->members.empty());
    EXPECT_EQ(groups_.sync("g", new_id, 1, {}, 2000, "host-1"), group_error::none);
    auto s = groups_.sync_done("g", new_id, 1, 2000, "host-1");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->assignment, "parts");
    // The old process is fenced wherever it calls with its instance id.
    EXPECT_EQ(groups_.heartbeat("g", old_id, 1, 2000, "host-1"), group_error::fenced_instance_id);
    EXPECT_EQ(groups_.check_commit("g", old_id, 1, 2000, "host-1"), group_error::fenced_instance_id);
    EXPECT_EQ(groups_.sync("g", old_id, 1, {}, 2000, "host-1"), group_error::fenced_instance_id);
    EXPECT_EQ(groups_.join_done("g", old_id, 2000, "host-1")->error, group_error::fenced_instance_id);
    auto [again, _] = join_static("host-1", 2000, old_id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->error, group_error::fenced_instance_id);
    EXPECT_EQ(groups_.heartbeat("g", new_id, 1, 2000, "host-1"), group_error::none);
    EXPECT_EQ(groups_.check_commit("g", new_id, 1, 2000, "host-1"), group_error::none);
    auto v = groups_.describe("g");
    EXPECT_EQ(v->state, "Stable");
    EXPECT_EQ(v->generation, 1);
    ASSERT_EQ(v->members.size(), 1u);
    EXPECT_EQ(v->members[0].member_id, new_id);
    EXPECT_EQ(v->members[0].instance_id, "host-1");
    EXPECT_EQ(v->leader, new_id);
    auto listed = groups_.list();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].group_id, "g");
    EXPECT_EQ(listed[0].members, v->members);
}

TEST_F(static_members_test, one_that_joins_again_during_a_rebalance_joins_it_under_its_new_id) {
    auto old_id = stable_alone("host-1", 1000);
    auto dynamic = join_new(1100);  // starts a rebalance
    auto [a, new_id] = join_static("host-1", 1200);
    EXPECT_EQ(a, std::nullopt);  // it waits for the rebalance, as any join does
    auto done = groups_.join_done("g", new_id, 1200, "host-1");
    ASSERT_TRUE(done);
    EXPECT_EQ(done->generation, 2);
    EXPECT_EQ(done->leader, new_id);  // the leader's place went with the instance
    EXPECT_EQ(done->members.size(), 2u);
    EXPECT_EQ(groups_.join_done("g", dynamic, 1200)->generation, 2);
    EXPECT_EQ(groups_.join_done("g", old_id, 1200, "host-1")->error, group_error::fenced_instance_id);
}

TEST_F(static_members_test, a_static_member_leaves_by_its_session_timeout_or_by_name_and_its_instance_id_is_free_again) {
    auto first = stable_alone("host-1", 1000);
    groups_.expire(1000 + 10'001);
    EXPECT_EQ(groups_.describe("g")->state, "Empty");
    EXPECT_TRUE(groups_.list().empty());  // only groups with members
    auto [a, second] = join_static("host-1", 20'000);
    EXPECT_EQ(a, std::nullopt);  // a new member: no one to replace
    EXPECT_NE(second, first);
    EXPECT_EQ(groups_.join_done("g", second, 20'000, "host-1")->generation, 2);
    // LeaveGroup v3 may name a static member by its instance id alone.
    EXPECT_EQ(groups_.leave("g", "", 20'000, "host-1"), group_error::none);
    EXPECT_EQ(groups_.describe("g")->state, "Empty");
    EXPECT_EQ(groups_.leave("g", "", 20'000, "host-1"), group_error::unknown_member);
}

// Wired as the broker wires them: one group id, one protocol at a time.
TEST(classic_groups_exclusive_test, a_group_id_is_served_by_one_protocol_at_a_time) {
    group_coordinator http_groups([](const std::string&) { return 3; },
                                  [](const std::string&, const topic_partition&, log::offset_t) { return status{}; });
    classic_groups kafka_groups([&](const std::string& g) {
        auto v = http_groups.describe(g);
        return v && !v->members.empty();
    });
    http_groups.set_in_use_elsewhere([&](const std::string& g) { return kafka_groups.has_members(g); });

    ASSERT_TRUE(http_groups.heartbeat("shared", "http-consumer", "t", 0, 0).ok());
    std::string id;
    auto r = request("");
    r.group = "shared";
    EXPECT_EQ(kafka_groups.join(r, id, 0)->error, group_error::inconsistent_protocol);

    r.group = "kafka-only";
    ASSERT_EQ(kafka_groups.join(r, id, 0), std::nullopt);
    auto refused = http_groups.heartbeat("kafka-only", "http-consumer", "t", 0, 0);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), status_code::conflict);
    // Once the Kafka member left, HTTP consumers may use the id.
    ASSERT_EQ(kafka_groups.leave("kafka-only", id, 0), group_error::none);
    EXPECT_TRUE(http_groups.heartbeat("kafka-only", "http-consumer", "t", 0, 0).ok());
}

}  // namespace
}  // namespace gafka::broker
