// util::latency_stats: nearest-rank percentiles and the size of the tail
// over the e2e targets' bounds (5 and 15 ms).
#include <gtest/gtest.h>

#include "gafka/util/latency_stats.h"

namespace gafka::util {
namespace {

constexpr std::int64_t ms = 1000000;

TEST(latency_stats, percentiles_are_nearest_rank_over_the_sorted_samples) {
    latency_stats s;
    for (std::int64_t i = 1000; i >= 1; --i) s.add_ns(i * ms / 100);  // 0.01 .. 10 ms, out of order
    auto sum = s.summarize();
    EXPECT_DOUBLE_EQ(sum.p50, 5.0);
    EXPECT_DOUBLE_EQ(sum.p99, 9.9);
    EXPECT_DOUBLE_EQ(sum.p999, 9.99);
    EXPECT_DOUBLE_EQ(sum.max, 10.0);
    EXPECT_EQ(sum.samples, 1000u);
}

TEST(latency_stats, counts_the_samples_strictly_over_5_and_15_ms) {
    latency_stats s;
    for (auto v : {1 * ms, 5 * ms, 5 * ms + 1, 15 * ms, 15 * ms + 1, 40 * ms}) s.add_ns(v);
    auto sum = s.summarize();
    EXPECT_EQ(sum.samples, 6u);
    EXPECT_EQ(sum.over_5ms, 4u);   // 5 ms + 1 ns, 15 ms, 15 ms + 1 ns and 40 ms
    EXPECT_EQ(sum.over_15ms, 2u);  // 15 ms + 1 ns and 40 ms
}

TEST(latency_stats, no_samples_summarize_to_zeros) {
    latency_stats s;
    auto sum = s.summarize();
    EXPECT_EQ(sum.samples, 0u);
    EXPECT_EQ(sum.over_15ms, 0u);
    EXPECT_DOUBLE_EQ(sum.p99, 0.0);
}

}  // namespace
}  // namespace gafka::util
