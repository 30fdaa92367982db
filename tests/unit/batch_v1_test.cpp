// The magic-1 reader (gafka 0.1's batch format) against a data dir that
// release wrote (tests/cli/data/magic1): detection, the conversion to magic
// 2, and the one-time rewrite when a partition log opens it.
#include "gafka/log/batch_v1.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <vector>

#include "gafka/log/partition_log.h"
#include "gafka/log/segment_scanner.h"
#include "test_support.h"

namespace gafka::log {
namespace {

namespace fs = std::filesystem;

const fs::path fixture = fs::path(GAFKA_MAGIC1_TEST_DATA) / "topics" / "legacy" / "1";

// Every batch of a segment file as it is on disk, read with `format`.
std::vector<std::string> batches_of(const fs::path& file, const batch_format& format) {
    auto f = util::file::open(file, O_RDONLY);
    EXPECT_TRUE(f.ok()) << file;
    std::vector<std::string> out;
    auto scan = scan_segment(
        *f, 0, no_offset,
        [&](std::uint64_t, std::string_view b) {
            out.emplace_back(b);
            return true;
        },
        format);
    EXPECT_TRUE(scan.ok() && !scan->problem) << file;
    return out;
}

template <class Records>
std::vector<std::pair<offset_t, record>> records_of(Records records) {
    std::vector<std::pair<offset_t, record>> out;
    record_view r;
    while (records.next(r)) out.emplace_back(r.offset, r.to_record());
    return out;
}

TEST(batch_v1_test, a_gafka_0_1_segment_is_detected_as_magic_1_and_a_new_one_as_magic_2) {
    auto f = util::file::open(fixture / "00000000000000000000.log", O_RDONLY);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(detect_format(*f).value(), &format_v1);
    test::temp_dir tmp;
    auto empty = util::file::open(tmp.path() / "empty.log", O_RDWR | O_CREAT);
    EXPECT_EQ(detect_format(*empty).value(), &format_v2);
}

TEST(batch_v1_test, each_batch_converts_to_magic_2_with_the_same_records_offsets_and_epochs) {
    auto old = batches_of(fixture / "00000000000000000000.log", format_v1);
    ASSERT_FALSE(old.empty());
    for (const auto& b : old) {
        auto converted = v1::to_v2(b);
        ASSERT_EQ(check_batch(converted), batch_problem::none);
        auto before = v1::decode_header(b.data()), after = decode_header(converted.data());
        EXPECT_EQ(after.base_offset, before.base_offset);
        EXPECT_EQ(after.record_count, before.record_count);
        EXPECT_EQ(after.leader_epoch, before.leader_epoch);
        EXPECT_EQ(after.producer_id, before.producer_id);
        EXPECT_EQ(after.base_sequence, before.base_sequence);
        EXPECT_EQ(after.max_timestamp, before.max_timestamp);
        EXPECT_EQ(records_of(batch_records(converted)), records_of(v1::batch_records(b)));
    }
}

TEST(batch_v1_test, opening_the_partition_rewrites_its_segments_once_and_keeps_every_record) {
    test::temp_dir tmp;
    auto dir = tmp.path() / "1";
    test::copy_dir(fixture, dir);
    std::vector<std::pair<offset_t, record>> expected;
    for (const auto& seg : {"00000000000000000000.log", "00000000000000000012.log"})
        for (const auto& b : batches_of(dir / seg, format_v1))
            for (auto& r : records_of(v1::batch_records(b))) expected.push_back(std::move(r));
    // A rewrite that crashed before its rename left a temporary file behind.
    test::append_bytes(dir / "00000000000000000012.log.v2-tmp", "half a rewrite");

    log_options small;
    small.segment_bytes = 1024;
    auto log = partition_log::open(dir, small);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    EXPECT_EQ((*log)->log_end_offset(), 26);
    std::vector<std::pair<offset_t, record>> got;
    for (offset_t next = 0; next < 26;) {
        auto read = (*log)->read(next, 1 << 20);
        ASSERT_TRUE(read.ok() && read->next_offset > next);
        for (std::string_view rest = read->data; rest.size() >= batch_header_size;) {
            auto h = decode_header(rest.data());
            for (auto& r : records_of(batch_records(rest.substr(0, h.length)))) got.push_back(std::move(r));
            rest.remove_prefix(h.length);
        }
        next = read->next_offset;
    }
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(fs::exists(dir / "00000000000000000012.log.v2-tmp"));
    for (const auto& seg : {"00000000000000000000.log", "00000000000000000012.log"}) {
        auto f = util::file::open(dir / seg, O_RDONLY);
        EXPECT_EQ(detect_format(*f).value(), &format_v2) << seg;
    }
}

}  // namespace
}  // namespace gafka::log
