#include "gafka/tools/bench_schedule.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "gafka/tools/bench_load.h"
#include "gafka/tools/bench_options.h"

namespace gafka::tools {

TEST(bench_schedule_test, open_loop_spaces_records_by_the_rate) {
    open_loop_schedule s(10, 1000.0);  // one record a millisecond
    EXPECT_TRUE(s.open_loop());
    EXPECT_EQ(s.intended_ns(0), 0);
    EXPECT_EQ(s.intended_ns(1), 1'000'000);
    EXPECT_EQ(s.intended_ns(9), 9'000'000);
}

TEST(bench_schedule_test, due_by_counts_records_whose_time_has_come) {
    open_loop_schedule s(10, 1000.0);
    EXPECT_EQ(s.due_by(-1), 0);
    EXPECT_EQ(s.due_by(0), 1);
    EXPECT_EQ(s.due_by(999'999), 1);
    EXPECT_EQ(s.due_by(1'000'000), 2);
    EXPECT_EQ(s.due_by(5'500'000), 6);
    EXPECT_EQ(s.due_by(1'000'000'000), 10);  // never more than the total
}

TEST(bench_schedule_test, due_by_agrees_with_intended_times_at_an_awkward_rate) {
    open_loop_schedule s(100'000, 3.0 * 7 * 11 * 13);  // a period that is no whole number of ns
    for (std::int64_t i = 1; i < s.total(); i += 997) {
        EXPECT_EQ(s.due_by(s.intended_ns(i)), i + 1) << i;
        EXPECT_EQ(s.due_by(s.intended_ns(i) - 1), i) << i;
    }
}

TEST(bench_schedule_test, without_a_rate_everything_is_due_at_once) {
    open_loop_schedule s(500, std::nullopt);
    EXPECT_FALSE(s.open_loop());
    EXPECT_EQ(s.due_by(0), 500);
    EXPECT_EQ(s.intended_ns(499), 0);
}

TEST(bench_schedule_test, each_partition_has_one_writer_when_workers_are_fewer) {
    EXPECT_EQ(partitions_of_worker(0, 2, 5), (std::vector<std::int32_t>{0, 2, 4}));
    EXPECT_EQ(partitions_of_worker(1, 2, 5), (std::vector<std::int32_t>{1, 3}));
    EXPECT_EQ(partitions_of_worker(0, 1, 2), (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(partitions_of_worker(1, 2, 2), (std::vector<std::int32_t>{1}));
}

TEST(bench_schedule_test, extra_workers_share_partitions_round_robin) {
    EXPECT_EQ(partitions_of_worker(0, 8, 2), (std::vector<std::int32_t>{0}));
    EXPECT_EQ(partitions_of_worker(5, 8, 2), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(partitions_of_worker(7, 8, 1), (std::vector<std::int32_t>{0}));
}

TEST(bench_schedule_test, split_reads_shares_evenly_within_what_partitions_hold) {
    EXPECT_EQ(split_reads(10, {100, 100}), (std::vector<std::int64_t>{5, 5}));
    EXPECT_EQ(split_reads(11, {100, 100, 100}), (std::vector<std::int64_t>{4, 4, 3}));
    EXPECT_EQ(split_reads(10, {2, 100}), (std::vector<std::int64_t>{2, 8}));
    EXPECT_EQ(split_reads(10, {0, 3}), (std::vector<std::int64_t>{0, 3}));  // not enough stored
    EXPECT_EQ(split_reads(0, {5}), (std::vector<std::int64_t>{0}));
}

TEST(bench_schedule_test, stamped_bodies_are_json_and_stamps_read_back) {
    record_payload payload(40);
    std::string body;
    std::int64_t stamps[] = {0, 123456789012345};
    payload.append_body(body, "t", 3, 2, stamps);
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    ASSERT_FALSE(d.HasParseError()) << body;
    EXPECT_STREQ(d["topic"].GetString(), "t");
    const auto& recs = d["records"];
    ASSERT_EQ(recs.Size(), 2u);
    for (rapidjson::SizeType k = 0; k < 2; ++k) {
        EXPECT_EQ(recs[k]["partition"].GetInt(), 3);
        std::string_view v(recs[k]["value"].GetString(), recs[k]["value"].GetStringLength());
        EXPECT_EQ(v.size(), 40u);
        EXPECT_EQ(read_stamp(v), stamps[k]);
    }
}

TEST(bench_schedule_test, unstamped_values_have_the_size_and_no_stamp) {
    record_payload payload(5);
    std::string body;
    payload.append_body(body, "t", 0, 1, nullptr);
    EXPECT_EQ(body, R"({"topic":"t","records":[{"partition":0,"value":"abcde"}]})");
    EXPECT_EQ(read_stamp("abcde"), std::nullopt);
    EXPECT_EQ(read_stamp("0000000000000000001x"), std::nullopt);
    EXPECT_EQ(read_stamp("0000000000000000000a "), std::nullopt);
}

TEST(bench_schedule_test, options_that_cannot_run_are_usage_errors) {
    load_bench_options o;
    EXPECT_EQ(check_load_options(o), std::nullopt);
    o.mode = load_mode::e2e;
    o.size = 10;
    EXPECT_NE(check_load_options(o), std::nullopt);
    o.size = 1024;
    o.batch_size = 10'000;
    o.mode = load_mode::produce;
    o.size = 1'000'000;
    EXPECT_NE(check_load_options(o), std::nullopt);  // 10 GB in one request
    o.size = 100;
    o.topic = "no/slash";
    EXPECT_NE(check_load_options(o), std::nullopt);
}

}  // namespace gafka::tools
