#pragma once
// gafka-walcheck's logic: offline verification (and explicit repair) of data
// dirs, partition dirs and single segment files, with the same scanner the
// broker's recovery uses. The program's main() only parses flags.
#include <filesystem>
#include <iosfwd>
#include <vector>

namespace gafka::tools {

struct walcheck_options {
    std::vector<std::filesystem::path> paths;
    bool repair = false;
    bool dump = false;
    bool quiet = false;
};

// Exit codes of gafka-walcheck.
inline constexpr int walcheck_clean = 0;
inline constexpr int walcheck_damaged = 1;
inline constexpr int walcheck_usage = 2;
inline constexpr int walcheck_unreadable = 3;

// Checks every segment under opts.paths, writing JSON lines (or records with
// dump) to `out` and diagnostics to `err`. Returns an exit code: damaged wins
// over unreadable, which wins over clean.
int run_walcheck(const walcheck_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
