#include "gafka/tools/walcheck.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/log/partition_log.h"
#include "test_support.h"

namespace gafka::tools {
namespace fs = std::filesystem;

// Fixture in the style of LevelDB's log_test: write a log with the library,
// damage its bytes, run walcheck, look at exactly what it says.
class walcheck_test : public ::testing::Test {
protected:
    struct outcome {
        int code = -1;
        std::string out;
        std::string err;
        std::vector<std::string> lines;  // out, split
    };

    fs::path dir() const { return tmp_.path() / "p0"; }
    fs::path segment_file() const { return dir() / log::segment_file_name(0, log::log_suffix); }
    fs::path index_file() const { return dir() / log::segment_file_name(0, log::index_suffix); }

    // Writes `batches` batches of 3 records with same-sized values, closes the
    // log, and returns the size of one batch in bytes.
    std::uint64_t write(int batches) {
        auto opened = log::partition_log::open(dir());
        EXPECT_TRUE(opened.ok()) << opened.error().to_string();
        if (!opened.ok()) return 0;
        auto& lg = **opened;
        for (int i = 0; i < batches; ++i) {
            log::batch_builder b;
            for (int j = 0; j < 3; ++j) {
                auto n = std::to_string(100 + i * 3 + j);
                b.add(1000 + i * 3 + j, "k" + n, "value-" + n);
            }
            auto r = lg.append(b.finish());
            EXPECT_TRUE(r.ok()) << r.error().to_string();
        }
        auto size = lg.size_bytes();
        EXPECT_TRUE(lg.close().ok());
        return batches > 0 ? size / static_cast<std::uint64_t>(batches) : 0;
    }

    static outcome run(walcheck_options opts) {
        std::ostringstream out, err;
        outcome o;
        o.code = run_walcheck(opts, out, err);
        o.out = out.str();
        o.err = err.str();
        std::istringstream in(o.out);
        for (std::string line; std::getline(in, line);) o.lines.push_back(line);
        return o;
    }
    outcome run_on_dir(bool repair = false, bool dump = false, bool quiet = false) const {
        return run({{dir()}, repair, dump, quiet});
    }

    static rapidjson::Document parse(const std::string& line) {
        rapidjson::Document d;
        d.Parse(line.c_str());
        EXPECT_FALSE(d.HasParseError()) << line;
        EXPECT_TRUE(d.IsObject()) << line;
        return d;
    }

    test::temp_dir tmp_;
};

TEST_F(walcheck_test, clean_log_exits_0_with_one_ok_line_per_segment) {
    write(3);
    auto r = run_on_dir();
    EXPECT_EQ(r.code, walcheck_clean);
    EXPECT_EQ(r.err, "");
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "ok");
    EXPECT_EQ(d["base_offset"].GetInt64(), 0);
    EXPECT_EQ(d["first_offset"].GetInt64(), 0);
    EXPECT_EQ(d["last_offset"].GetInt64(), 8);
    EXPECT_EQ(d["batches"].GetInt64(), 3);
    EXPECT_EQ(d["records"].GetInt64(), 9);
    EXPECT_EQ(d["bytes"].GetUint64(), fs::file_size(segment_file()));
    EXPECT_TRUE(d["topic"].IsNull());
    EXPECT_TRUE(d["partition"].IsNull());
    EXPECT_FALSE(d.HasMember("problem"));
}

TEST_F(walcheck_test, flipped_byte_mid_log_is_corruption_at_the_bad_batch) {
    auto batch = write(3);
    test::flip_byte(segment_file(), batch + log::batch_header_size + 10);
    auto r = run_on_dir();
    EXPECT_EQ(r.code, walcheck_damaged);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "corrupt");
    EXPECT_EQ(d["records"].GetInt64(), 3);
    EXPECT_EQ(d["last_offset"].GetInt64(), 2);
    EXPECT_EQ(d["problem"]["position"].GetUint64(), batch);
    EXPECT_EQ(d["problem"]["offset"].GetInt64(), 3);
    EXPECT_STREQ(d["problem"]["reason"].GetString(), "crc mismatch");
}

TEST_F(walcheck_test, torn_tail_is_reported_and_left_alone_without_repair) {
    auto batch = write(3);
    test::truncate_to(segment_file(), 3 * batch - 5);
    auto before = test::file_bytes(segment_file());
    auto r = run_on_dir();
    EXPECT_EQ(r.code, walcheck_damaged);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "torn_tail");
    EXPECT_EQ(d["problem"]["position"].GetUint64(), 2 * batch);
    EXPECT_STREQ(d["problem"]["reason"].GetString(), "truncated batch");
    EXPECT_FALSE(d.HasMember("repaired"));
    EXPECT_EQ(test::file_bytes(segment_file()), before);
    EXPECT_TRUE(fs::exists(index_file()));
}

TEST_F(walcheck_test, a_zero_filled_tail_is_preallocated_space_not_damage) {
    auto batch = write(2);
    test::append_bytes(segment_file(), std::string(4096, '\0'));
    auto r = run_on_dir();
    EXPECT_EQ(r.code, 0);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "ok");
    EXPECT_FALSE(d.HasMember("problem"));
    EXPECT_EQ(d["records"].GetInt64(), 2 * 3);
    EXPECT_EQ(d["bytes"].GetUint64(), 2 * batch + 4096);
    EXPECT_EQ(d["preallocated_bytes"].GetUint64(), 4096u);
}

TEST_F(walcheck_test, fewer_zero_bytes_than_a_header_at_the_end_are_preallocated_space_too) {
    write(2);
    test::append_bytes(segment_file(), std::string(20, '\0'));
    auto r = run_on_dir();
    EXPECT_EQ(r.code, 0);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "ok");
    EXPECT_EQ(d["preallocated_bytes"].GetUint64(), 20u);
}

TEST_F(walcheck_test, zeros_in_the_middle_of_a_log_are_corruption_with_reason_zero_filled) {
    auto batch = write(3);
    auto bytes = test::file_bytes(segment_file());
    std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(batch), batch, '\0');
    fs::remove(segment_file());
    test::append_bytes(segment_file(), bytes);
    auto r = run_on_dir();
    EXPECT_EQ(r.code, walcheck_damaged);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["status"].GetString(), "corrupt");
    EXPECT_EQ(d["problem"]["position"].GetUint64(), batch);
    EXPECT_STREQ(d["problem"]["reason"].GetString(), "zero-filled");
    EXPECT_FALSE(d.HasMember("preallocated_bytes"));
}

TEST_F(walcheck_test, repair_saves_the_cut_bytes_beside_the_segment) {
    auto batch = write(3);
    test::truncate_to(segment_file(), 3 * batch - 5);
    auto tail = test::file_bytes(segment_file()).substr(2 * batch);
    auto saved = segment_file();
    saved += ".cut-" + std::to_string(2 * batch);

    auto r = run_on_dir(/*repair=*/true);
    EXPECT_EQ(r.code, walcheck_damaged);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    ASSERT_TRUE(d.HasMember("repaired")) << r.lines[0];
    EXPECT_EQ(d["repaired"]["cut_bytes"].GetUint64(), batch - 5);
    EXPECT_EQ(d["repaired"]["saved_to"].GetString(), saved.string());
    EXPECT_NE(r.err.find("repaired"), std::string::npos) << r.err;

    EXPECT_EQ(test::file_bytes(saved), tail);
    EXPECT_EQ(fs::file_size(segment_file()), 2 * batch);
    EXPECT_FALSE(fs::exists(index_file()));

    auto again = run_on_dir();
    EXPECT_EQ(again.code, walcheck_clean) << again.out;
    ASSERT_EQ(again.lines.size(), 1u);
    EXPECT_EQ(parse(again.lines[0])["records"].GetInt64(), 6);
}

TEST_F(walcheck_test, repair_of_mid_log_corruption_cuts_everything_from_the_bad_batch) {
    auto batch = write(4);
    test::flip_byte(segment_file(), batch + log::batch_header_size + 10);
    auto tail = test::file_bytes(segment_file()).substr(batch);
    auto r = run_on_dir(/*repair=*/true);
    EXPECT_EQ(r.code, walcheck_damaged);
    auto saved = segment_file();
    saved += ".cut-" + std::to_string(batch);
    EXPECT_EQ(test::file_bytes(saved), tail);
    EXPECT_EQ(fs::file_size(segment_file()), batch);

    auto reopened = log::partition_log::open(dir());
    ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
    EXPECT_EQ((*reopened)->log_end_offset(), 3);
    EXPECT_FALSE((*reopened)->corrupt_offset().has_value());
}

TEST_F(walcheck_test, repair_of_a_clean_log_changes_nothing) {
    write(2);
    auto before = test::file_bytes(segment_file());
    auto r = run_on_dir(/*repair=*/true);
    EXPECT_EQ(r.code, walcheck_clean);
    EXPECT_EQ(test::file_bytes(segment_file()), before);
    EXPECT_TRUE(fs::exists(index_file()));
    EXPECT_EQ(r.lines.size(), 1u);
}

TEST_F(walcheck_test, dump_writes_every_record_in_offset_order) {
    write(3);
    auto r = run_on_dir(false, /*dump=*/true);
    EXPECT_EQ(r.code, walcheck_clean);
    EXPECT_EQ(r.err, "");
    ASSERT_EQ(r.lines.size(), 9u);
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        auto d = parse(r.lines[i]);
        EXPECT_EQ(d["offset"].GetInt64(), static_cast<std::int64_t>(i));
        EXPECT_EQ(d["timestamp"].GetInt64(), 1000 + static_cast<std::int64_t>(i));
        EXPECT_EQ(std::string(d["key"].GetString()), "k" + std::to_string(100 + i));
        EXPECT_EQ(std::string(d["value"].GetString()), "value-" + std::to_string(100 + i));
    }
}

TEST_F(walcheck_test, dump_writes_a_value_that_is_not_utf8_as_value_b64) {
    {
        auto opened = log::partition_log::open(dir());
        ASSERT_TRUE(opened.ok());
        log::batch_builder b;
        b.add(1000, std::nullopt, std::string("\xff\xfe\x00\x80", 4));
        ASSERT_TRUE((*opened)->append(b.finish()).ok());
        ASSERT_TRUE((*opened)->close().ok());
    }
    auto r = run_on_dir(false, /*dump=*/true);
    EXPECT_EQ(r.code, walcheck_clean);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    ASSERT_TRUE(d.HasMember("value_b64")) << r.lines[0];
    EXPECT_STREQ(d["value_b64"].GetString(), "//4AgA==");
    EXPECT_FALSE(d.HasMember("value")) << r.lines[0];
    EXPECT_TRUE(d["key"].IsNull());
}

TEST_F(walcheck_test, dump_of_a_corrupt_log_writes_the_records_before_the_damage) {
    auto batch = write(3);
    test::flip_byte(segment_file(), batch + log::batch_header_size + 10);
    auto r = run_on_dir(false, /*dump=*/true);
    EXPECT_EQ(r.code, walcheck_damaged);
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(parse(r.lines[2])["offset"].GetInt64(), 2);
    EXPECT_NE(r.err.find("crc mismatch at position " + std::to_string(batch)), std::string::npos) << r.err;
}

TEST_F(walcheck_test, quiet_writes_nothing_for_clean_and_damaged_logs) {
    auto batch = write(2);
    auto clean = run_on_dir(false, false, /*quiet=*/true);
    EXPECT_EQ(clean.code, walcheck_clean);
    EXPECT_EQ(clean.out, "");
    test::truncate_to(segment_file(), 2 * batch - 1);
    auto damaged = run_on_dir(false, false, /*quiet=*/true);
    EXPECT_EQ(damaged.code, walcheck_damaged);
    EXPECT_EQ(damaged.out, "");
}

TEST_F(walcheck_test, data_dir_layout_gives_topic_and_partition) {
    auto data = tmp_.path() / "data";
    auto opened = log::partition_log::open(data / "topics" / "orders" / "7");
    ASSERT_TRUE(opened.ok());
    log::batch_builder b;
    b.add(1000, std::nullopt, "v");
    ASSERT_TRUE((*opened)->append(b.finish()).ok());
    ASSERT_TRUE((*opened)->close().ok());
    auto r = run({{data}});
    EXPECT_EQ(r.code, walcheck_clean);
    ASSERT_EQ(r.lines.size(), 1u);
    auto d = parse(r.lines[0]);
    EXPECT_STREQ(d["topic"].GetString(), "orders");
    EXPECT_EQ(d["partition"].GetInt(), 7);
}

TEST_F(walcheck_test, unreadable_path_gives_3) {
    auto r = run({{tmp_.path() / "missing"}});
    EXPECT_EQ(r.code, walcheck_unreadable);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;

    test::append_bytes(tmp_.path() / "notes.txt", "hello");
    EXPECT_EQ(run({{tmp_.path() / "notes.txt"}}).code, walcheck_unreadable);

    fs::create_directories(tmp_.path() / "empty");
    EXPECT_EQ(run({{tmp_.path() / "empty"}}).code, walcheck_unreadable);
}

TEST_F(walcheck_test, damaged_and_unreadable_gives_1) {
    auto batch = write(2);
    test::truncate_to(segment_file(), 2 * batch - 1);
    auto r = run({{tmp_.path() / "missing", dir()}});
    EXPECT_EQ(r.code, walcheck_damaged);
    EXPECT_EQ(r.lines.size(), 1u);
}

TEST_F(walcheck_test, clean_and_unreadable_gives_3) {
    write(2);
    auto r = run({{dir(), tmp_.path() / "missing"}});
    EXPECT_EQ(r.code, walcheck_unreadable);
    EXPECT_EQ(r.lines.size(), 1u);
}

// --- --format nagios and prometheus: the same check, one summary -----------

TEST_F(walcheck_test, nagios_format_on_a_clean_log_is_one_ok_line_and_exit_0) {
    write(3);
    walcheck_options o{{dir()}};
    o.format = walcheck_format::nagios;
    auto r = run(o);
    EXPECT_EQ(r.code, nagios_ok);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0], "WALCHECK OK - 1 segment clean, 9 records, " + std::to_string(fs::file_size(segment_file())) +
                              " bytes in " + dir().string() + " | segments=1;;;0 damaged_segments=0;;0;0 records=9;;;0 bytes=" +
                              std::to_string(fs::file_size(segment_file())) + "B;;;0 unreadable=0;;;0");
    EXPECT_EQ(r.err, "");
}

TEST_F(walcheck_test, nagios_format_on_corruption_is_critical_and_exit_2) {
    auto batch = write(3);
    test::flip_byte(segment_file(), batch + log::batch_header_size + 10);
    walcheck_options o{{dir()}};
    o.format = walcheck_format::nagios;
    auto r = run(o);
    EXPECT_EQ(r.code, nagios_critical);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].rfind("WALCHECK CRITICAL - 1 of 1 segment damaged: " + segment_file().string() +
                                   " corrupt (crc mismatch at position " + std::to_string(batch) + ") | ",
                               0),
              0u)
        << r.lines[0];
    EXPECT_NE(r.lines[0].find(" damaged_segments=1;;0;0 records=3;;;0 "), std::string::npos) << r.lines[0];
}

TEST_F(walcheck_test, nagios_format_on_a_missing_path_is_unknown_and_exit_3) {
    walcheck_options o{{tmp_.path() / "missing"}};
    o.format = walcheck_format::nagios;
    auto r = run(o);
    EXPECT_EQ(r.code, nagios_unknown);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].rfind("WALCHECK UNKNOWN - cannot read " + (tmp_.path() / "missing").string() + ": ", 0), 0u)
        << r.lines[0];
}

TEST_F(walcheck_test, prometheus_format_counts_what_it_read_and_keeps_the_json_exit_codes) {
    auto batch = write(3);
    walcheck_options o{{dir()}};
    o.format = walcheck_format::prometheus;
    o.now_ms = 1700000000500;
    auto clean = run(o);
    EXPECT_EQ(clean.code, walcheck_clean);
    auto label = "{data_dir=\"" + dir().string() + "\"} ";
    for (const auto& expected : {"gafka_walcheck_segments" + label + "1", "gafka_walcheck_damaged_segments" + label + "0",
                                 "gafka_walcheck_records" + label + "9",
                                 "gafka_walcheck_bytes" + label + std::to_string(3 * batch),
                                 "gafka_walcheck_unreadable" + label + "0",
                                 "gafka_walcheck_last_run_timestamp_seconds" + label + "1700000000.500"})
        EXPECT_NE(std::find(clean.lines.begin(), clean.lines.end(), expected), clean.lines.end()) << expected;
    test::truncate_to(segment_file(), 3 * batch - 1);
    auto torn = run(o);
    EXPECT_EQ(torn.code, walcheck_damaged);
    EXPECT_NE(std::find(torn.lines.begin(), torn.lines.end(), "gafka_walcheck_damaged_segments" + label + "1"),
              torn.lines.end());
}

TEST_F(walcheck_test, a_path_given_twice_is_checked_once) {
    write(1);
    walcheck_options o{{dir(), dir()}};
    EXPECT_EQ(run(o).lines.size(), 1u);
    o.format = walcheck_format::nagios;
    EXPECT_NE(run(o).out.find("segments=1;"), std::string::npos);
}

TEST_F(walcheck_test, dump_goes_with_the_json_format_only) {
    write(1);
    walcheck_options o{{dir()}};
    o.dump = true;
    o.format = walcheck_format::nagios;
    auto r = run(o);
    EXPECT_EQ(r.code, walcheck_usage);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("--dump"), std::string::npos) << r.err;
}

}  // namespace gafka::tools
