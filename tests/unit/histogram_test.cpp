#include "gafka/util/histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace gafka::util {

using namespace std::chrono_literals;

TEST(histogram_test, empty_histogram_has_zero_buckets_sum_and_count) {
    histogram h;
    auto s = h.snapshot();
    ASSERT_EQ(s.bounds.size(), histogram::bucket_count);
    ASSERT_EQ(s.cumulative.size(), histogram::bucket_count + 1);
    for (auto c : s.cumulative) EXPECT_EQ(c, 0u);
    EXPECT_EQ(s.count, 0u);
    EXPECT_EQ(s.sum, 0.0);
}

TEST(histogram_test, buckets_are_cumulative_and_inclusive_of_their_bound) {
    histogram h;
    h.observe(50us);     // <= 0.0001
    h.observe(100us);    // exactly 0.0001: counts in le="0.0001"
    h.observe(3ms);      // <= 0.005
    h.observe(700ms);    // <= 1
    h.observe(30s);      // only +Inf
    auto s = h.snapshot();
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.cumulative.back(), s.count);
    EXPECT_EQ(s.cumulative[0], 2u);  // le=0.0001
    auto at = [&](double bound) {
        for (std::size_t i = 0; i < s.bounds.size(); ++i)
            if (s.bounds[i] == bound) return s.cumulative[i];
        ADD_FAILURE() << "no bound " << bound;
        return std::uint64_t{0};
    };
    EXPECT_EQ(at(0.0025), 2u);
    EXPECT_EQ(at(0.005), 3u);
    EXPECT_EQ(at(0.5), 3u);
    EXPECT_EQ(at(1), 4u);
    EXPECT_EQ(at(10), 4u);
    for (std::size_t i = 1; i < s.cumulative.size(); ++i) EXPECT_GE(s.cumulative[i], s.cumulative[i - 1]);
    EXPECT_NEAR(s.sum, 0.00005 + 0.0001 + 0.003 + 0.7 + 30, 1e-9);
}

TEST(histogram_test, bounds_ascend) {
    for (std::size_t i = 1; i < histogram::bucket_count; ++i) EXPECT_LT(histogram::bounds[i - 1], histogram::bounds[i]);
}

TEST(histogram_test, negative_and_nan_observations_count_as_zero) {
    histogram h;
    h.observe(-5ms);
    h.observe_seconds(-1);
    h.observe_seconds(std::numeric_limits<double>::quiet_NaN());
    h.observe_seconds(0.02);
    auto s = h.snapshot();
    EXPECT_EQ(s.count, 4u);
    EXPECT_EQ(s.cumulative[0], 3u);
    EXPECT_NEAR(s.sum, 0.02, 1e-9);
}

TEST(histogram_test, concurrent_observations_are_all_counted) {
    histogram h;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&h, t] {
            for (int i = 0; i < 10'000; ++i) h.observe(std::chrono::microseconds(t * 1000 + i % 50));
        });
    for (auto& t : threads) t.join();
    auto s = h.snapshot();
    EXPECT_EQ(s.count, 40'000u);
    EXPECT_EQ(s.cumulative.back(), 40'000u);
}

}  // namespace gafka::util
