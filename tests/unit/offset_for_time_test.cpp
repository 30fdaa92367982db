// partition_log::offset_for_time: the first record at or after a time.
#include <gtest/gtest.h>

#include "gafka/log/partition_log.h"
#include "test_support.h"

namespace gafka::log {

class offset_for_time_test : public ::testing::Test {
protected:
    void SetUp() override {
        log_options o;
        o.segment_bytes = 4096;         // many segments
        o.index_interval_bytes = 256;   // several index entries per segment
        auto r = partition_log::open(tmp_.path() / "p0", o);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        log_ = std::move(r).value();
    }

    // One batch whose records carry these timestamps, in this order.
    void append(std::initializer_list<timestamp_ms> stamps) {
        batch_builder b;
        for (auto ts : stamps) b.add(ts, std::nullopt, std::string(100, 'v'));
        ASSERT_TRUE(log_->append(b.finish()).ok());
    }

    offset_t lookup(timestamp_ms t, offset_t upto = INT64_MAX) {
        auto r = log_->offset_for_time(t, upto);
        EXPECT_TRUE(r.ok()) << r.error().to_string();
        return r.ok() ? *r : no_offset;
    }

    test::temp_dir tmp_;
    std::unique_ptr<partition_log> log_;
};

TEST_F(offset_for_time_test, an_empty_log_answers_its_end) { EXPECT_EQ(lookup(0), 0); }

TEST_F(offset_for_time_test, finds_the_first_record_at_or_after_the_time_inside_a_batch) {
    append({100, 200, 300});
    append({400, 500});
    EXPECT_EQ(lookup(0), 0);
    EXPECT_EQ(lookup(100), 0);
    EXPECT_EQ(lookup(101), 1);
    EXPECT_EQ(lookup(300), 2);
    EXPECT_EQ(lookup(301), 3);
    EXPECT_EQ(lookup(500), 4);
}

TEST_F(offset_for_time_test, record_for_time_answers_the_found_records_own_timestamp_or_minus_one) {
    append({100, 300, 200});
    auto at = [&](timestamp_ms t, offset_t upto = INT64_MAX) {
        auto r = log_->record_for_time(t, upto);
        EXPECT_TRUE(r.ok());
        return r.ok() ? std::pair{r->offset, r->timestamp} : std::pair<offset_t, timestamp_ms>{no_offset, 0};
    };
    EXPECT_EQ(at(150), (std::pair<offset_t, timestamp_ms>{1, 300}));
    EXPECT_EQ(at(300), (std::pair<offset_t, timestamp_ms>{1, 300}));
    EXPECT_EQ(at(301), (std::pair<offset_t, timestamp_ms>{3, -1}));
    EXPECT_EQ(at(150, 1), (std::pair<offset_t, timestamp_ms>{1, -1}));  // past what may be read
}

TEST_F(offset_for_time_test, a_time_after_every_record_answers_the_end) {
    append({100, 200});
    EXPECT_EQ(lookup(201), 2);
}

TEST_F(offset_for_time_test, does_not_answer_past_the_readable_end) {
    append({100});
    append({200});
    EXPECT_EQ(lookup(200, 1), 1);
    EXPECT_EQ(lookup(150, 1), 1);
}

TEST_F(offset_for_time_test, timestamps_out_of_order_give_the_first_new_enough_record_in_offset_order) {
    append({500, 100, 700});
    EXPECT_EQ(lookup(600), 2);
    EXPECT_EQ(lookup(200), 0);
}

TEST_F(offset_for_time_test, finds_records_across_many_segments_and_index_entries) {
    // 2000 records of ~130 bytes in batches of 4: dozens of segments, each
    // with several index entries; timestamps grow by 10 per record.
    for (int b = 0; b < 500; ++b) append({b * 40 + 0, b * 40 + 10, b * 40 + 20, b * 40 + 30});
    ASSERT_GT(log_->segment_count(), 10);
    for (offset_t want : {0, 1, 3, 4, 777, 1000, 1999}) {
        EXPECT_EQ(lookup(want * 10), want);
        EXPECT_EQ(lookup(want * 10 - 5), want) << want;
    }
    EXPECT_EQ(lookup(2000 * 10), 2000);
}

TEST_F(offset_for_time_test, still_answers_after_reopen_from_the_sealed_indexes) {
    for (int b = 0; b < 200; ++b) append({b * 20 + 0, b * 20 + 10});
    ASSERT_TRUE(log_->close().ok());
    log_.reset();
    SetUp();
    EXPECT_EQ(lookup(1235), 124);
    EXPECT_EQ(lookup(0), 0);
}

TEST_F(offset_for_time_test, after_retention_answers_from_the_log_start) {
    for (int b = 0; b < 200; ++b) append({b * 20 + 0, b * 20 + 10});
    auto r = log_->apply_retention(8192, -1, 0);
    ASSERT_TRUE(r.ok());
    ASSERT_GT(log_->log_start_offset(), 0);
    EXPECT_EQ(lookup(0), log_->log_start_offset());
}

}  // namespace gafka::log
