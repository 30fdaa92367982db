#include "gafka/tools/walcheck_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gafka::tools {

// The monitoring summaries are pure functions of the totals: exact text in,
// exact text out.
class walcheck_report_test : public ::testing::Test {
protected:
    static walcheck_totals clean(std::string path, std::int64_t segments = 3) {
        walcheck_totals t;
        t.path = std::move(path);
        t.segments = segments;
        t.records = 9000;
        t.bytes = 123456;
        return t;
    }
    static walcheck_totals damaged(std::string path) {
        auto t = clean(std::move(path));
        t.damaged_segments = 2;
        t.damage = {{"/d/topics/t/0/00000000000000000000.log", "corrupt", "crc mismatch at position 936"},
                    {"/d/topics/t/1/00000000000000000000.log", "torn_tail", "truncated batch at position 72"}};
        return t;
    }
    static walcheck_totals unreadable(std::string path) {
        walcheck_totals t;
        t.path = path;
        t.unreadable = {path + ": cannot access: no such file"};
        return t;
    }
};

TEST_F(walcheck_report_test, format_names_are_json_nagios_and_prometheus_only) {
    EXPECT_EQ(parse_walcheck_format("json"), walcheck_format::json);
    EXPECT_EQ(parse_walcheck_format("nagios"), walcheck_format::nagios);
    EXPECT_EQ(parse_walcheck_format("prometheus"), walcheck_format::prometheus);
    EXPECT_EQ(parse_walcheck_format("Nagios"), std::nullopt);
    EXPECT_EQ(parse_walcheck_format(""), std::nullopt);
}

TEST_F(walcheck_report_test, nagios_ok_line_counts_segments_records_and_bytes_with_perfdata) {
    std::vector<walcheck_totals> totals{clean("/var/lib/gafka")};
    EXPECT_EQ(nagios_report(totals),
              "WALCHECK OK - 3 segments clean, 9000 records, 123456 bytes in /var/lib/gafka"
              " | segments=3;;;0 damaged_segments=0;;0;0 records=9000;;;0 bytes=123456B;;;0 unreadable=0;;;0\n");
    EXPECT_EQ(nagios_exit_code(totals), nagios_ok);
}

TEST_F(walcheck_report_test, nagios_ok_sums_several_paths_and_uses_singulars) {
    auto a = clean("/a", 1);
    a.records = 1;
    a.bytes = 1;
    walcheck_totals b;
    b.path = "/b";
    EXPECT_EQ(nagios_report({a, b}),
              "WALCHECK OK - 1 segment clean, 1 record, 1 byte in /a, /b"
              " | segments=1;;;0 damaged_segments=0;;0;0 records=1;;;0 bytes=1B;;;0 unreadable=0;;;0\n");
}

TEST_F(walcheck_report_test, nagios_critical_names_the_first_damaged_segment_and_counts_the_rest) {
    std::vector<walcheck_totals> totals{damaged("/d")};
    EXPECT_EQ(nagios_report(totals),
              "WALCHECK CRITICAL - 2 of 3 segments damaged: /d/topics/t/0/00000000000000000000.log corrupt"
              " (crc mismatch at position 936) and 1 more"
              " | segments=3;;;0 damaged_segments=2;;0;0 records=9000;;;0 bytes=123456B;;;0 unreadable=0;;;0\n");
    EXPECT_EQ(nagios_exit_code(totals), nagios_critical);
}

TEST_F(walcheck_report_test, nagios_unknown_when_a_path_cannot_be_read_and_nothing_is_damaged) {
    std::vector<walcheck_totals> totals{clean("/a"), unreadable("/missing")};
    EXPECT_EQ(nagios_report(totals),
              "WALCHECK UNKNOWN - cannot read /missing: cannot access: no such file"
              " | segments=3;;;0 damaged_segments=0;;0;0 records=9000;;;0 bytes=123456B;;;0 unreadable=1;;;0\n");
    EXPECT_EQ(nagios_exit_code(totals), nagios_unknown);
}

TEST_F(walcheck_report_test, nagios_critical_wins_over_unknown_and_mentions_it) {
    std::vector<walcheck_totals> totals{unreadable("/missing"), damaged("/d")};
    auto line = nagios_report(totals);
    EXPECT_EQ(line.rfind("WALCHECK CRITICAL - 2 of 3 segments damaged: ", 0), 0u) << line;
    EXPECT_NE(line.find("and 1 more; 1 not readable | "), std::string::npos) << line;
    EXPECT_EQ(nagios_exit_code(totals), nagios_critical);
}

TEST_F(walcheck_report_test, nagios_text_never_holds_a_pipe_or_a_line_break) {
    auto line = nagios_report({clean("/odd|dir\nname")});
    EXPECT_EQ(line.rfind("WALCHECK OK - 3 segments clean, 9000 records, 123456 bytes in /odd_dir_name | ", 0), 0u)
        << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST_F(walcheck_report_test, prometheus_writes_every_gauge_with_help_type_and_a_data_dir_label) {
    EXPECT_EQ(prometheus_report({damaged("/var/lib/gafka"), unreadable("/x")}, 1732364563042),
              "# HELP gafka_walcheck_segments Segment files gafka-walcheck read under the path.\n"
              "# TYPE gafka_walcheck_segments gauge\n"
              "gafka_walcheck_segments{data_dir=\"/var/lib/gafka\"} 3\n"
              "gafka_walcheck_segments{data_dir=\"/x\"} 0\n"
              "# HELP gafka_walcheck_damaged_segments Segments that are corrupt, torn, or do not join the segment "
              "before them.\n"
              "# TYPE gafka_walcheck_damaged_segments gauge\n"
              "gafka_walcheck_damaged_segments{data_dir=\"/var/lib/gafka\"} 2\n"
              "gafka_walcheck_damaged_segments{data_dir=\"/x\"} 0\n"
              "# HELP gafka_walcheck_records Readable records in the segments.\n"
              "# TYPE gafka_walcheck_records gauge\n"
              "gafka_walcheck_records{data_dir=\"/var/lib/gafka\"} 9000\n"
              "gafka_walcheck_records{data_dir=\"/x\"} 0\n"
              "# HELP gafka_walcheck_bytes Size of the segment files in bytes.\n"
              "# TYPE gafka_walcheck_bytes gauge\n"
              "gafka_walcheck_bytes{data_dir=\"/var/lib/gafka\"} 123456\n"
              "gafka_walcheck_bytes{data_dir=\"/x\"} 0\n"
              "# HELP gafka_walcheck_unreadable Paths or segment files that could not be read.\n"
              "# TYPE gafka_walcheck_unreadable gauge\n"
              "gafka_walcheck_unreadable{data_dir=\"/var/lib/gafka\"} 0\n"
              "gafka_walcheck_unreadable{data_dir=\"/x\"} 1\n"
              "# HELP gafka_walcheck_last_run_timestamp_seconds When gafka-walcheck checked the path, in seconds "
              "since the epoch.\n"
              "# TYPE gafka_walcheck_last_run_timestamp_seconds gauge\n"
              "gafka_walcheck_last_run_timestamp_seconds{data_dir=\"/var/lib/gafka\"} 1732364563.042\n"
              "gafka_walcheck_last_run_timestamp_seconds{data_dir=\"/x\"} 1732364563.042\n");
}

TEST_F(walcheck_report_test, prometheus_escapes_backslash_quote_and_newline_in_the_label) {
    auto text = prometheus_report({clean("/a\\b\"c\nd")}, 1000);
    EXPECT_NE(text.find("gafka_walcheck_segments{data_dir=\"/a\\\\b\\\"c\\nd\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("gafka_walcheck_last_run_timestamp_seconds{data_dir=\"/a\\\\b\\\"c\\nd\"} 1.000\n"),
              std::string::npos)
        << text;
}

}  // namespace gafka::tools
