#include "gafka/log/sync_gather.h"

#include <gtest/gtest.h>

namespace gafka::log {
namespace {

using namespace std::chrono_literals;
using clock = sync_gather::clock;
const clock::time_point t0 = clock::time_point(1h);
const clock::time_point now_ = clock::time_point::min();

TEST(sync_gather, the_first_fsync_starts_at_once) {
    sync_gather g;
    EXPECT_EQ(g.start_at(1), now_);
    EXPECT_EQ(g.start_at(8), now_);
}

TEST(sync_gather, a_lone_writer_never_waits) {
    sync_gather g;
    for (int i = 0; i < 3; ++i) {
        g.fsync_done(t0 + i * 1ms, t0 + i * 1ms + 800us, 1, 0);
        EXPECT_EQ(g.start_at(1), now_);
    }
}

TEST(sync_gather, half_of_the_writers_wait_a_fraction_of_the_last_fsync_for_the_others) {
    sync_gather g({.fraction = 0.5, .max_wait = 1ms});
    // Four answered, four arrived while it ran: eight writers.
    g.fsync_done(t0, t0 + 800us, 4, 4);
    EXPECT_EQ(g.start_at(4), t0 + 800us + 400us);
    EXPECT_EQ(g.start_at(7), t0 + 800us + 400us);
    EXPECT_EQ(g.start_at(8), now_);
    EXPECT_EQ(g.start_at(9), now_);
}

TEST(sync_gather, writers_back_after_a_shared_fsync_wait_for_each_other) {
    sync_gather g({.fraction = 0.5, .max_wait = 1ms});
    // All eight in one fsync, none meanwhile: the first one back waits.
    g.fsync_done(t0, t0 + 600us, 8, 0);
    EXPECT_EQ(g.start_at(1), t0 + 900us);
    EXPECT_EQ(g.start_at(8), now_);
}

TEST(sync_gather, the_wait_is_bounded_by_max_wait) {
    sync_gather g({.fraction = 0.5, .max_wait = 1ms});
    g.fsync_done(t0, t0 + 50ms, 2, 1);
    EXPECT_EQ(g.start_at(1), t0 + 50ms + 1ms);
}

TEST(sync_gather, no_wait_when_max_wait_or_fraction_is_zero) {
    sync_gather off({.fraction = 0.5, .max_wait = 0ns});
    off.fsync_done(t0, t0 + 1ms, 4, 4);
    EXPECT_EQ(off.start_at(4), t0 + 1ms);  // the fsync's end: already past
    sync_gather none({.fraction = 0, .max_wait = 1ms});
    none.fsync_done(t0, t0 + 1ms, 4, 4);
    EXPECT_EQ(none.start_at(4), t0 + 1ms);
}

TEST(sync_gather, fewer_writers_after_a_wait_are_expected_from_then_on) {
    sync_gather g({.fraction = 0.5, .max_wait = 1ms});
    g.fsync_done(t0, t0 + 1ms, 4, 4);
    EXPECT_NE(g.start_at(5), now_);
    // The wait ran out with five: the next fsync saw five, and five is enough.
    g.fsync_done(t0 + 2ms, t0 + 3ms, 5, 0);
    EXPECT_EQ(g.start_at(5), now_);
    EXPECT_EQ(g.start_at(4), t0 + 3ms + 500us);
}

}  // namespace
}  // namespace gafka::log
