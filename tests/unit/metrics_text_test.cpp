#include "gafka/http/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gafka::http {

using namespace std::chrono_literals;

TEST(metrics_text_test, families_print_in_declaration_order_with_their_samples_together) {
    metrics_text m;
    m.family("a_total", "counter", "A things.");
    m.family("b", "gauge", "B level.");
    m.sample("b", {{"topic", "x"}}, std::int64_t{1});
    m.sample("a_total", {{"topic", "x"}}, std::int64_t{2});
    m.sample("b", {{"topic", "y"}}, std::int64_t{3});
    m.sample("a_total", {}, std::int64_t{4});
    EXPECT_EQ(m.str(),
              "# HELP a_total A things.\n# TYPE a_total counter\n"
              "a_total{topic=\"x\"} 2\na_total 4\n"
              "# HELP b B level.\n# TYPE b gauge\n"
              "b{topic=\"x\"} 1\nb{topic=\"y\"} 3\n");
}

TEST(metrics_text_test, undeclared_samples_and_repeated_families_are_ignored) {
    metrics_text m;
    m.family("a", "gauge", "first");
    m.family("a", "counter", "second");
    m.sample("nope", {}, std::int64_t{1});
    m.sample("a", {}, 0.5);
    EXPECT_EQ(m.str(), "# HELP a first\n# TYPE a gauge\na 0.5\n");
}

TEST(metrics_text_test, label_values_are_escaped) {
    EXPECT_EQ(escape_label_value("plain"), "plain");
    EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    metrics_text m;
    m.family("g", "gauge", "help\nwith newline");
    m.sample("g", {{"route", "GET /api/v1/topics/{name}"}, {"q", "\""}}, std::int64_t{7});
    EXPECT_EQ(m.str(), "# HELP g help with newline\n# TYPE g gauge\ng{route=\"GET /api/v1/topics/{name}\",q=\"\\\"\"} 7\n");
}

TEST(metrics_text_test, values_print_whole_numbers_plainly_and_fractions_exactly) {
    EXPECT_EQ(format_metric_value(3), "3");
    EXPECT_EQ(format_metric_value(0), "0");
    EXPECT_EQ(format_metric_value(-2), "-2");
    EXPECT_EQ(format_metric_value(0.25), "0.25");
    EXPECT_EQ(format_metric_value(0.0001), "0.0001");  // fixed, not 1e-04
    EXPECT_EQ(format_metric_value(0.05491978), "0.05491978");
    EXPECT_EQ(format_metric_value(1e-7), "1e-07");  // outside the fixed range: shortest
    EXPECT_EQ(format_metric_value(INFINITY), "+Inf");
    EXPECT_EQ(format_metric_value(-INFINITY), "-Inf");
    EXPECT_EQ(format_metric_value(NAN), "NaN");
}

TEST(metrics_text_test, histogram_prints_cumulative_buckets_then_sum_and_count) {
    util::histogram h;
    h.observe(200us);
    h.observe(2s);
    metrics_text m;
    m.family("lat_seconds", "histogram", "Latency.");
    m.histogram("lat_seconds", {{"route", "other"}}, h.snapshot());
    auto text = m.str();
    EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"other\",le=\"0.0001\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"other\",le=\"0.00025\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"other\",le=\"1\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"other\",le=\"2.5\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{route=\"other\",le=\"+Inf\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_sum{route=\"other\"} 2.0002\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_count{route=\"other\"} 2\n"), std::string::npos);
    // +Inf is the last bucket, then _sum, then _count.
    EXPECT_LT(text.find("le=\"+Inf\""), text.find("lat_seconds_sum"));
    EXPECT_LT(text.find("lat_seconds_sum"), text.find("lat_seconds_count"));
}

TEST(metrics_text_test, histogram_without_labels_has_only_le) {
    metrics_text m;
    m.family("f_seconds", "histogram", "F.");
    m.histogram("f_seconds", {}, util::histogram{}.snapshot());
    auto text = m.str();
    EXPECT_NE(text.find("f_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("f_seconds_sum 0\n"), std::string::npos);
    EXPECT_NE(text.find("f_seconds_count 0\n"), std::string::npos);
}

}  // namespace gafka::http
