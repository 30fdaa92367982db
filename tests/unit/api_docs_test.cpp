// The broker's routes and its API docs agree (DESIGN.md section 5): every
// route of gafka::http::routes() has an endpoint heading ("### GET /healthz")
// in docs/api.md and a path with that method in docs/openapi.yaml, and
// neither file documents an endpoint the broker does not serve.
#include "gafka/http/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gafka::http {
namespace {

namespace fs = std::filesystem;

// An endpoint as both docs write it: "GET /api/v1/topics/{name}".
using endpoint = std::string;

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

// Endpoint headings of a Markdown text: headings whose text starts with an
// HTTP method and a path, optionally in backticks ("## `POST /api/v1/produce`"),
// outside fenced code blocks (where "# HELP ..." lines are not headings).
std::vector<endpoint> markdown_endpoints(const std::string& text) {
    static const std::regex heading(
        R"(^#{1,6}[ \t]+`?(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)[ \t]+(/[^\s`]*)`?([ \t].*)?$)");
    std::vector<endpoint> out;
    bool in_code = false;
    for (const auto& line : lines_of(text)) {
        auto start = line.find_first_not_of(' ');
        if (start != std::string::npos && start < 4 &&
            (line.compare(start, 3, "```") == 0 || line.compare(start, 3, "~~~") == 0)) {
            in_code = !in_code;
            continue;
        }
        std::smatch m;
        if (!in_code && std::regex_match(line, m, heading)) out.push_back(m[1].str() + " " + m[2].str());
    }
    return out;
}

// The path keys under the top-level `paths:` of an OpenAPI YAML text, each
// with the HTTP methods keyed under it, read by indentation (the docs are
// block-style YAML; block scalars are indented deeper than any key read).
std::vector<endpoint> openapi_endpoints(const std::string& text, std::string& problem) {
    static const std::regex key_line(R"(^( *)(['"]?)([^'"#:][^'"#]*?)\2:([ \t].*)?$)");
    static const std::set<std::string> methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    std::vector<endpoint> out;
    bool in_paths = false, seen_paths = false;
    std::size_t path_indent = 0, op_indent = 0;
    std::string path;
    for (const auto& line : lines_of(text)) {
        auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line[first] == '#') continue;  // blank or comment
        if (first == 0) {
            in_paths = line.rfind("paths:", 0) == 0;
            if (in_paths) {
                seen_paths = true;
                path_indent = op_indent = 0;
                path.clear();
                auto rest = line.find_first_not_of(" \t", 6);
                if (rest != std::string::npos && line[rest] != '#') problem = "`paths:` is not a block mapping";
            }
            continue;
        }
        if (!in_paths) continue;
        if (path_indent == 0) path_indent = first;
        std::smatch m;
        bool is_key = std::regex_match(line, m, key_line);
        if (first == path_indent) {
            path = is_key ? m[3].str() : "";
            op_indent = 0;
            continue;
        }
        if (first < path_indent || path.empty()) continue;
        if (op_indent == 0) op_indent = first;
        if (first == op_indent && is_key && methods.count(m[3].str())) {
            auto method = m[3].str();
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            out.push_back(method + " " + path);
        }
    }
    if (!seen_paths) problem = "no top-level `paths:` key";
    return out;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += "\n  " + i;
    return out;
}

class api_docs_test : public ::testing::Test {
protected:
    // The source tree: three levels up from this file (tests/unit/...), which
    // CMake compiles by its absolute path; else found from the working
    // directory upwards.
    static fs::path repo_root() {
        auto is_root = [](const fs::path& p) {
            return fs::exists(p / "docs" / "api.md") && fs::exists(p / "lib" / "gafka" / "http" / "router.h");
        };
        auto from_source = fs::path(__FILE__).parent_path().parent_path().parent_path();
        if (from_source.is_absolute() && is_root(from_source)) return from_source;
        for (auto p = fs::current_path(); !p.empty(); p = p.parent_path()) {
            if (is_root(p)) return p;
            if (p == p.parent_path()) break;
        }
        return {};
    }

    void SetUp() override {
        root_ = repo_root();
        ASSERT_FALSE(root_.empty()) << "cannot find the source tree (docs/api.md) from " << __FILE__ << " or "
                                    << fs::current_path();
        for (const auto& r : routes()) routes_.insert(r.method + " " + r.pattern);
        ASSERT_FALSE(routes_.empty());
    }

    std::vector<endpoint> api_md() const { return markdown_endpoints(read_text(root_ / "docs" / "api.md")); }
    std::vector<endpoint> openapi() const {
        std::string problem;
        auto out = openapi_endpoints(read_text(root_ / "docs" / "openapi.yaml"), problem);
        EXPECT_EQ(problem, "") << "docs/openapi.yaml";
        return out;
    }

    fs::path root_;
    std::set<endpoint> routes_;
};

TEST_F(api_docs_test, reads_endpoint_headings_and_skips_code_blocks) {
    auto found = markdown_endpoints(
        "# API\n"
        "### GET /healthz\n"
        "## `POST /api/v1/produce` (one record or a batch)\n"
        "Text that says GET /api/v1/secret is no heading.\n"
        "```console\n"
        "# GET /in/a/code/block\n"
        "```\n"
        "#### DELETE /api/v1/topics/{name}\r\n"
        "### Getting started\n");
    EXPECT_EQ(found, (std::vector<endpoint>{"GET /healthz", "POST /api/v1/produce", "DELETE /api/v1/topics/{name}"}));
}

TEST_F(api_docs_test, reads_openapi_paths_and_methods_by_indentation) {
    std::string problem;
    auto found = openapi_endpoints(
        "openapi: 3.0.3\n"
        "paths:\n"
        "  # a comment\n"
        "  /api/v1/topics:\n"
        "    get:\n"
        "      description: |\n"
        "        post: not a method, a line of text\n"
        "    post:\n"
        "      responses: {}\n"
        "  '/api/v1/topics/{name}':\n"
        "    parameters: []\n"
        "    delete:\n"
        "      summary: x\n"
        "components:\n"
        "  /not/a/path:\n"
        "    get: {}\n",
        problem);
    EXPECT_EQ(problem, "");
    EXPECT_EQ(found, (std::vector<endpoint>{"GET /api/v1/topics", "POST /api/v1/topics",
                                            "DELETE /api/v1/topics/{name}"}));
}

TEST_F(api_docs_test, routes_include_healthz_and_metrics) {
    EXPECT_TRUE(routes_.count("GET /healthz"));
    EXPECT_TRUE(routes_.count("GET /metrics"));
}

TEST_F(api_docs_test, every_route_has_an_endpoint_heading_in_api_md) {
    auto documented = api_md();
    std::set<endpoint> have(documented.begin(), documented.end());
    std::vector<std::string> missing;
    for (const auto& r : routes_)
        if (!have.count(r)) missing.push_back(r);
    EXPECT_TRUE(missing.empty()) << "routes without a heading \"### METHOD /path\" in docs/api.md:" << joined(missing);
}

TEST_F(api_docs_test, every_endpoint_heading_in_api_md_is_a_route) {
    std::vector<std::string> extra, twice;
    std::set<endpoint> seen;
    for (const auto& e : api_md()) {
        if (!routes_.count(e)) extra.push_back(e);
        if (!seen.insert(e).second) twice.push_back(e);
    }
    EXPECT_TRUE(extra.empty()) << "docs/api.md has endpoint headings the broker does not route "
                                  "(move planned endpoints out of the headings):"
                               << joined(extra);
    EXPECT_TRUE(twice.empty()) << "docs/api.md has these endpoint headings more than once:" << joined(twice);
}

TEST_F(api_docs_test, every_route_is_a_path_and_method_in_openapi_yaml) {
    auto documented = openapi();
    std::set<endpoint> have(documented.begin(), documented.end());
    std::vector<std::string> missing;
    for (const auto& r : routes_)
        if (!have.count(r)) missing.push_back(r);
    EXPECT_TRUE(missing.empty()) << "routes missing under `paths:` in docs/openapi.yaml:" << joined(missing);
}

TEST_F(api_docs_test, every_path_and_method_in_openapi_yaml_is_a_route) {
    std::vector<std::string> extra;
    for (const auto& e : openapi())
        if (!routes_.count(e)) extra.push_back(e);
    EXPECT_TRUE(extra.empty()) << "docs/openapi.yaml describes operations the broker does not route:"
                               << joined(extra);
}

}  // namespace
}  // namespace gafka::http
