#include "gafka/broker/long_poll.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gafka::broker {
namespace {

TEST(long_poll_slots_test, gives_at_most_limit_slots_and_counts_the_rest) {
    long_poll_slots slots(2);
    auto a = slots.try_take();
    auto b = slots.try_take();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(slots.waiting(), 2);
    EXPECT_FALSE(slots.try_take().has_value());
    EXPECT_EQ(slots.over_limit(), 1);
    EXPECT_EQ(slots.waiting(), 2);
}

TEST(long_poll_slots_test, a_slot_given_back_can_be_taken_again) {
    long_poll_slots slots(1);
    {
        auto a = slots.try_take();
        ASSERT_TRUE(a);
        auto moved = std::move(*a);  // the moved-from slot gives nothing back
        a.reset();
        EXPECT_EQ(slots.waiting(), 1);
        EXPECT_FALSE(slots.try_take());
    }
    EXPECT_EQ(slots.waiting(), 0);
    EXPECT_TRUE(slots.try_take());
}

TEST(long_poll_slots_test, a_limit_of_zero_refuses_every_wait) {
    long_poll_slots slots(0);
    EXPECT_FALSE(slots.try_take());
    EXPECT_EQ(slots.waiting(), 0);
}

TEST(long_poll_slots_test, concurrent_takers_never_hold_more_than_the_limit) {
    long_poll_slots slots(3);
    std::atomic<std::int64_t> holding{0}, most{0}, taken{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                auto s = slots.try_take();
                if (!s) continue;
                ++taken;
                auto now = ++holding;
                auto seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                --holding;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_GT(taken.load(), 0);  // else "never more than 3" says nothing
    EXPECT_LE(most.load(), 3);
    EXPECT_EQ(slots.waiting(), 0);
}

}  // namespace
}  // namespace gafka::broker
