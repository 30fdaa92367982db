#pragma once
// gafka-walcheck's logic: offline verification (and explicit repair) of data
// dirs, partition dirs and single segment files, with the same scanner the
// broker's recovery uses. The program's main() only parses flags.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <vector>

#include "gafka/tools/walcheck_report.h"

namespace gafka::tools {

struct walcheck_options {
    std::vector<std::filesystem::path> paths;
    bool repair = false;
    bool dump = false;
    bool quiet = false;
    // json: one line per segment; nagios, prometheus: one summary at the end
    // (walcheck_report.h). --dump goes with json only.
    walcheck_format format = walcheck_format::json;
    std::int64_t now_ms = 0;  // the time of the run for prometheus; 0: the wall clock
};

// Exit codes of gafka-walcheck.
inline constexpr int walcheck_clean = 0;
inline constexpr int walcheck_damaged = 1;
inline constexpr int walcheck_usage = 2;
inline constexpr int walcheck_unreadable = 3;

// Checks every segment under opts.paths, writing JSON lines (or records with
// dump, or the summary of opts.format) to `out` and diagnostics to `err`.
// Returns an exit code: damaged wins over unreadable, which wins over clean;
// with the nagios format the codes are Nagios's (0 OK, 2 CRITICAL,
// 3 UNKNOWN). Usage errors are walcheck_usage in every format.
int run_walcheck(const walcheck_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
