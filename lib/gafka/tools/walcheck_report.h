#pragma once
// gafka-walcheck's summaries for monitoring: what one run found under each
// PATH, written as one Nagios plugin status line or as Prometheus text
// format for node_exporter's textfile collector. Pure functions of the
// totals (and the time of the run), so they are unit-tested without logs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gafka::tools {

enum class walcheck_format { json, nagios, prometheus };

// "json", "nagios" or "prometheus"; nothing for any other text.
std::optional<walcheck_format> parse_walcheck_format(std::string_view text);

// A damaged segment: its file, walcheck's status for it ("corrupt",
// "torn_tail", "gap", "overlap") and what was found, in words.
struct walcheck_damage {
    std::string file;
    std::string status;
    std::string detail;
};

// What one PATH given on the command line held (a PATH given twice is
// checked once).
struct walcheck_totals {
    std::string path;
    std::int64_t segments = 0;          // segment files read
    std::int64_t damaged_segments = 0;  // of those, not "ok"
    std::int64_t records = 0;           // readable records
    std::uint64_t bytes = 0;            // size of the segment files
    std::vector<walcheck_damage> damage;
    std::vector<std::string> unreadable;  // "PATH: why", one per path or file not read
};

// Nagios plugin exit codes (the plugin guidelines' convention).
inline constexpr int nagios_ok = 0;
inline constexpr int nagios_critical = 2;
inline constexpr int nagios_unknown = 3;

// One line, "WALCHECK OK|CRITICAL|UNKNOWN - text | perfdata\n": CRITICAL
// when any segment is damaged, else UNKNOWN when anything could not be
// read, else OK. Perfdata (summed over the paths): segments,
// damaged_segments (critical above 0), records, bytes (B), unreadable.
std::string nagios_report(const std::vector<walcheck_totals>& totals);

// The exit code that goes with nagios_report: 0, 2 or 3.
int nagios_exit_code(const std::vector<walcheck_totals>& totals);

// Prometheus text exposition format (version 0.0.4): gauges
// gafka_walcheck_{segments,damaged_segments,records,bytes,unreadable,
// last_run_timestamp_seconds}, one sample per path, labelled
// data_dir="<PATH as given>". `now_ms` is the time of the run.
std::string prometheus_report(const std::vector<walcheck_totals>& totals, std::int64_t now_ms);

}  // namespace gafka::tools
