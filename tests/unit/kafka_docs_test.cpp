// docs/kafka.md and the Kafka listener agree (DESIGN.md section 9): the
// "Served APIs" table lists exactly the dispatch table (kafka/dispatch.h),
// which ApiVersions answers, with the same keys and versions; every other
// API the codec knows is in the "not served" table; and no row names an
// API the codec does not know.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "gafka/kafka/api_table.h"
#include "gafka/kafka/dispatch.h"

namespace gafka::kafka {
namespace {

namespace fs = std::filesystem;

// name, key, min, max (-1, -1 for "not served").
using row = std::tuple<std::string, int, int, int>;

std::set<row> doc_rows(const std::string& text) {
    static const std::regex served(R"(^\|\s*([A-Za-z]+)\s*\|\s*(\d+)\s*\|\s*(\d+)-(\d+)\s*\|.*$)");
    static const std::regex unserved(R"(^\|\s*([A-Za-z]+)\s*\|\s*(\d+)\s*\|\s*not served\s*\|\s*$)");
    std::set<row> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, served))
            out.emplace(m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str()), std::stoi(m[4].str()));
        else if (std::regex_match(line, m, unserved))
            out.emplace(m[1].str(), std::stoi(m[2].str()), -1, -1);
    }
    return out;
}

fs::path repo_root() {
    auto is_root = [](const fs::path& p) { return fs::exists(p / "docs" / "kafka.md"); };
    auto from_source = fs::path(__FILE__).parent_path().parent_path().parent_path();
    if (from_source.is_absolute() && is_root(from_source)) return from_source;
    for (auto p = fs::current_path(); !p.empty() && p != p.parent_path(); p = p.parent_path())
        if (is_root(p)) return p;
    return {};
}

TEST(kafka_docs_test, reads_served_and_unserved_rows_and_nothing_else) {
    auto rows = doc_rows("| API | key | versions | notes |\n|---|--:|--:|---|\n| Metadata | 3 | 0-9 | all |\n"
                         "| Produce | 0 | not served |\n| `code` | 1 | 2-3 |\nMetadata 3 0-9\n");
    EXPECT_EQ(rows, (std::set<row>{{"Metadata", 3, 0, 9}, {"Produce", 0, -1, -1}}));
}

TEST(kafka_docs_test, the_api_table_of_docs_kafka_md_is_the_dispatch_table) {
    auto root = repo_root();
    ASSERT_FALSE(root.empty()) << "cannot find docs/kafka.md from " << __FILE__ << " or " << fs::current_path();
    std::ifstream in(root / "docs" / "kafka.md");
    std::stringstream text;
    text << in.rdbuf();
    std::set<row> want;
    for (const api_schema* api : served_apis()) {
        const api_handler* h = find_handler(api->key);
        want.emplace(std::string(api->name), api->key, h ? h->served.min : -1, h ? h->served.max : -1);
    }
    EXPECT_EQ(doc_rows(text.str()), want) << "docs/kafka.md's tables must list each API of kafka/api_table.cpp once: "
                                             "those of kafka/dispatch.cpp with their versions, the rest as 'not served'";
}

}  // namespace
}  // namespace gafka::kafka
