// The broker core's produce and fetch paths (broker/produce_path.h,
// broker/fetch_path.h) on a real topic_manager in a temporary data dir, as
// the HTTP and Kafka handlers call them.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "gafka/broker/fetch_path.h"
#include "gafka/broker/produce_path.h"
#include "gafka/rules/partitioner.h"

#include "core_fixture.h"

namespace gafka::broker {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class broker_core_test : public test::core_fixture {
protected:
    status write(std::vector<batch_write>& writes, acks_mode acks, on_failure policy = on_failure::end_all) {
        return run(write_batches(*core_, writes, acks, policy));
    }
};

// --- the topic of a produce ---

TEST_F(broker_core_test, an_unknown_topic_is_to_create_with_the_default_partitions_and_created_only_when_asked) {
    open();
    core_->default_partitions = 3;
    auto t = find_produce_topic(*core_, "new");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->found, nullptr);
    EXPECT_EQ(t->partitions, 3);
    EXPECT_EQ(topics_->find("new"), nullptr);
    ASSERT_TRUE(create_produce_topic(*core_, "new", *t).ok());
    ASSERT_NE(t->found, nullptr);
    EXPECT_EQ(t->found->partitions.size(), 3u);
    EXPECT_EQ(topics_->find("new"), t->found);
}

TEST_F(broker_core_test, an_unknown_topic_is_not_found_without_auto_create) {
    open();
    core_->auto_create_topics = false;
    auto t = find_produce_topic(*core_, "new");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().code(), status_code::not_found);
}

TEST_F(broker_core_test, a_topic_created_meanwhile_is_used_unless_it_has_too_few_partitions) {
    open();
    core_->default_partitions = 2;
    auto t = find_produce_topic(*core_, "raced");
    ASSERT_TRUE(t.ok());
    make_topic("raced", 2);
    ASSERT_TRUE(create_produce_topic(*core_, "raced", *t).ok());
    EXPECT_EQ(t->found, topics_->find("raced"));

    auto u = find_produce_topic(*core_, "small");
    ASSERT_TRUE(u.ok());
    make_topic("small", 1);
    EXPECT_EQ(create_produce_topic(*core_, "small", *u).code(), status_code::not_found);
}

// --- partition choice ---

TEST_F(broker_core_test, records_go_to_their_partition_else_by_key_else_all_unkeyed_to_the_next_partition) {
    open();
    std::vector<record_target> records{{2, std::nullopt}, {std::nullopt, "user123"}, {}, {}};
    auto first = choose_partitions(*core_, "t", records, 4);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ((*first)[0], 2);
    EXPECT_EQ((*first)[1], rules::partition_for_key("user123", 4));
    EXPECT_EQ((*first)[2], (*first)[3]);  // one batch's unkeyed records share a partition
    auto second = choose_partitions(*core_, "t", records, 4);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ((*second)[2], ((*first)[2] + 1) % 4);  // the next batch's go to the next
}

TEST_F(broker_core_test, a_partition_past_the_topics_is_refused_naming_the_record) {
    open();
    std::vector<record_target> records{{0, std::nullopt}, {5, std::nullopt}};
    auto r = choose_partitions(*core_, "t", records, 2);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::invalid_argument);
    EXPECT_NE(r.error().message().find("record 1: partition 5 does not exist; 't' has 2"), std::string::npos)
        << r.error().message();
}

// --- writing batches ---

TEST_F(broker_core_test, written_batches_get_consecutive_offsets_and_are_readable_once_acknowledged) {
    open(flush_mode::always);
    auto& p = make_topic("t");
    std::vector<batch_write> writes{{&p, batch(3)}};
    ASSERT_TRUE(write(writes, acks_mode::leader).ok());
    EXPECT_TRUE(writes[0].written);
    EXPECT_EQ(writes[0].appended.base_offset, 0);
    EXPECT_EQ(writes[0].appended.last_offset, 2);
    EXPECT_EQ(p.visible_end(), 3);  // fsynced, so consumers see it
    std::vector<batch_write> more{{&p, batch(2)}};
    ASSERT_TRUE(write(more, acks_mode::leader).ok());
    EXPECT_EQ(more[0].appended.base_offset, 3);
}

TEST_F(broker_core_test, acks_all_without_enough_insync_replicas_writes_nothing) {
    open(flush_mode::never, 2);
    auto& p = make_topic("t");
    std::vector<batch_write> writes{{&p, batch(1)}};
    auto s = write(writes, acks_mode::all);
    EXPECT_EQ(s.code(), status_code::not_enough_replicas);
    EXPECT_NE(s.message().find("t/0 has 1 in-sync replica(s); acks=all needs --min-insync 2"), std::string::npos)
        << s.message();
    EXPECT_FALSE(writes[0].written);
    EXPECT_EQ(p.log().log_end_offset(), 0);
    // acks=1 does not need them.
    ASSERT_TRUE(write(writes = {{&p, batch(1)}}, acks_mode::leader).ok());
    EXPECT_EQ(p.log().log_end_offset(), 1);
}

TEST_F(broker_core_test, acks_all_alone_in_sync_is_answered_once_the_high_watermark_passes_the_batch) {
    open(flush_mode::always);
    auto& p = make_topic("t");
    std::vector<batch_write> writes{{&p, batch(2)}};
    ASSERT_TRUE(write(writes, acks_mode::all).ok());
    EXPECT_GE(p.visible_end(), 2);
}

TEST_F(broker_core_test, an_idempotent_retry_gets_its_first_offsets_and_a_gap_is_a_conflict) {
    open();
    auto& p = make_topic("t");
    std::vector<batch_write> first{{&p, batch(2, "a", 7, 0)}};
    ASSERT_TRUE(write(first, acks_mode::leader).ok());
    std::vector<batch_write> retry{{&p, batch(2, "a", 7, 0)}};
    ASSERT_TRUE(write(retry, acks_mode::leader).ok());
    EXPECT_TRUE(retry[0].appended.duplicate);
    EXPECT_EQ(retry[0].appended.base_offset, 0);
    EXPECT_EQ(p.log().log_end_offset(), 2);  // not appended twice
    std::vector<batch_write> gap{{&p, batch(1, "a", 7, 5)}};
    EXPECT_EQ(write(gap, acks_mode::leader).code(), status_code::conflict);
    EXPECT_FALSE(gap[0].written);
    EXPECT_EQ(p.log().log_end_offset(), 2);
}

TEST_F(broker_core_test, one_failed_partition_ends_the_call_or_leaves_the_others_to_go_on) {
    open();
    make_topic("t", 2);
    auto& p0 = part("t", 0);
    auto& p1 = part("t", 1);
    std::vector<batch_write> writes{{&p0, batch(1, "a", 9, 0)}};
    ASSERT_TRUE(write(writes, acks_mode::leader).ok());
    writes = {{&p0, batch(1, "a", 9, 3)}, {&p1, batch(1)}};  // p0: a gap
    EXPECT_EQ(write(writes, acks_mode::leader, on_failure::end_all).code(), status_code::conflict);
    EXPECT_FALSE(writes[1].written);
    EXPECT_EQ(p1.log().log_end_offset(), 0);

    writes = {{&p0, batch(1, "a", 9, 3)}, {&p1, batch(1)}};
    EXPECT_EQ(write(writes, acks_mode::leader, on_failure::each_its_own).code(), status_code::conflict);
    EXPECT_EQ(writes[0].error.code(), status_code::conflict);
    EXPECT_TRUE(writes[1].error.ok());
    EXPECT_TRUE(writes[1].written);
    EXPECT_EQ(p1.log().log_end_offset(), 1);
}

// --- the groups' coordinator ---

TEST_F(broker_core_test, a_coordinator_that_may_not_acknowledge_serves_no_group_call) {
    open();
    EXPECT_EQ(core_->group_coordinator_state(), coordinator_state::serving);  // standalone: always
    bool renewed = true;
    core_->may_acknowledge = [&renewed] { return renewed; };
    EXPECT_EQ(core_->group_coordinator_state(), coordinator_state::serving);
    renewed = false;  // a zombie: its session not renewed in time
    EXPECT_EQ(core_->group_coordinator_state(), coordinator_state::not_coordinator);
    offsets_->hand_off(*groups_);  // not the coordinator at all: so it stays, whatever the fence says
    renewed = true;
    EXPECT_EQ(core_->group_coordinator_state(), coordinator_state::not_coordinator);
}

// --- offsets and reads ---

TEST_F(broker_core_test, a_fetch_may_start_anywhere_up_to_the_log_end_and_a_commit_up_to_the_high_watermark) {
    open(flush_mode::always);
    auto& p = make_topic("t");
    ASSERT_TRUE(p.append(batch(3)).ok());  // not fsynced yet: past the high watermark
    EXPECT_EQ(p.visible_end(), 0);
    EXPECT_TRUE(check_fetch_offset(p, 0).ok());
    EXPECT_TRUE(check_fetch_offset(p, 3).ok());
    auto past = check_fetch_offset(p, 4);
    EXPECT_EQ(past.code(), status_code::out_of_range);
    EXPECT_EQ(past.message(), "offset 4 is outside the log of t/0 [0, 3]");
    EXPECT_TRUE(check_commit_offset(p, 0).ok());
    EXPECT_EQ(check_commit_offset(p, 1).message(), "offset 1 is outside the log of t/0 [0, 0]");
    EXPECT_EQ(check_fetch_offset(p, -1).code(), status_code::out_of_range);
}

TEST_F(broker_core_test, reads_stop_at_the_high_watermark) {
    open(flush_mode::always);
    auto& p = make_topic("t");
    ASSERT_TRUE(p.append(batch(3)).ok());
    auto r = read_batches(p, 0, 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->data.empty());  // written, not yet durable
    std::vector<batch_write> writes{{&p, batch(2)}};
    ASSERT_TRUE(write(writes, acks_mode::leader).ok());  // its fsync covers the first too
    r = read_batches(p, 0, 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->next_offset, 5);
}

TEST_F(broker_core_test, a_read_returns_the_first_batch_whole_however_small_max_bytes_is_and_as_stored) {
    open();
    auto& p = make_topic("t");
    auto b1 = batch(50, std::string(100, 'x'));
    auto b2 = batch(1);
    std::vector<batch_write> writes{{&p, b1}};
    ASSERT_TRUE(write(writes, acks_mode::leader).ok());
    writes = {{&p, b2}};
    ASSERT_TRUE(write(writes, acks_mode::leader).ok());
    auto r = read_batches(p, 10, 1);  // from the middle of the first batch
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->data.size(), b1.size());
    auto h = log::decode_header(r->data.data());
    EXPECT_EQ(h.base_offset, 0);
    EXPECT_EQ(h.record_count, 50);
    EXPECT_EQ(r->next_offset, 50);
    EXPECT_EQ(log::check_batch(r->data), log::batch_problem::none);
}

// --- long polls ---

TEST_F(broker_core_test, a_fetch_wait_wakes_when_a_batch_is_appended) {
    open();
    auto& p = make_topic("t");
    auto deadline = std::chrono::steady_clock::now() + 60s;
    asio::io_context io;
    std::optional<bool> woke;
    std::int64_t waiting_meanwhile = -1;
    fetch_wait waiter(*core_, deadline);
    std::vector<poll_target> targets{{&p, 0}};
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { woke = co_await waiter.wait(targets); }, asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::post(io, asio::use_awaitable);  // the waiter is suspended by now
            waiting_meanwhile = core_->long_polls.waiting();
            std::vector<batch_write> writes{{&p, batch(1)}};
            (void)co_await write_batches(*core_, writes, acks_mode::leader, on_failure::end_all);
        },
        asio::detached);
    io.run();
    ASSERT_TRUE(woke.has_value());
    EXPECT_TRUE(*woke);
    EXPECT_LT(std::chrono::steady_clock::now(), deadline);  // woken, not timed out
    EXPECT_EQ(waiting_meanwhile, 1);                          // it held a --max-long-polls slot
    EXPECT_EQ(p.visible_end(), 1);
}

// A broker stopped while a long poll waits destroys its io_context with the
// wait suspended (its client went away, so nothing resumes it); the wait
// must not leave its wake-up with the partition, which closing the
// partition calls (it used to post to the destroyed io_context: a SIGSEGV
// at shutdown; here a use after free that the ASan run of scripts/test.sh,
// or valgrind, reports).
TEST_F(broker_core_test, a_long_poll_destroyed_with_its_io_context_leaves_no_wake_up_behind) {
    open();
    auto& p = make_topic("t");
    std::vector<poll_target> targets{{&p, 0}};
    bool ended = false;
    {
        asio::io_context io;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                co_await wait_for_any(targets, std::chrono::steady_clock::now() + 60s);
                ended = true;
            },
            asio::detached);
        io.poll();  // it is suspended now, waiting
        EXPECT_FALSE(io.stopped());
    }
    EXPECT_FALSE(ended);
    bool woken = false;
    (void)p.wait_for_data([&] { woken = true; });
    p.wake_waiters();  // only the wake-up just added is left to call
    EXPECT_TRUE(woken);
}

TEST_F(broker_core_test, a_fetch_wait_answers_at_once_past_its_deadline_or_without_a_free_slot) {
    open();
    auto& p = make_topic("t");
    std::vector<poll_target> targets{{&p, 0}};
    fetch_wait late(*core_, std::chrono::steady_clock::now() - 1s);
    EXPECT_FALSE(run(late.wait(targets)));
    core_->long_polls.set_limit(0);
    fetch_wait shed(*core_, std::chrono::steady_clock::now() + 60s);
    EXPECT_FALSE(run(shed.wait(targets)));
    EXPECT_EQ(core_->long_polls.over_limit(), 1);
    EXPECT_EQ(core_->long_polls.waiting(), 0);
}

}  // namespace
}  // namespace gafka::broker
