// Topic and group names can never reach a path outside the data dir
// (issue 9): whatever bytes a name has, once accepted it is exactly one
// directory entry under topics/, and never a reserved one.
#include "gafka/http/query.h"
#include "gafka/rules/names.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace gafka::rules {
namespace {

namespace fs = std::filesystem;

// True when `name`, joined under a topics dir, is one new entry right in it.
bool stays_one_entry_below(const std::string& name) {
    fs::path topics = "/data/topics";
    auto joined = (topics / name).lexically_normal();
    return joined.parent_path() == topics && joined.filename() == name;
}

TEST(names_test, every_accepted_short_name_is_one_entry_under_the_topics_dir) {
    // Every name of up to 3 characters over the bytes that matter for paths.
    const std::string alphabet{'a', '.', '/', '\\', '\0', '%', '~', '-'};
    std::vector<std::string> names{""};
    for (int len = 1; len <= 3; ++len) {
        std::vector<std::string> longer;
        for (const auto& n : names)
            if (static_cast<int>(n.size()) == len - 1)
                for (char c : alphabet) longer.push_back(n + c);
        names.insert(names.end(), longer.begin(), longer.end());
    }
    int accepted = 0;
    for (const auto& name : names) {
        for (bool ok : {check_topic_name(name).ok(), check_group_id(name).ok(), check_consumer_id(name).ok()}) {
            if (!ok) continue;
            ++accepted;
            EXPECT_TRUE(stays_one_entry_below(name)) << "'" << name << "'";
        }
    }
    EXPECT_GT(accepted, 0);
}

TEST(names_test, nul_backslash_and_percent_are_refused) {
    EXPECT_FALSE(check_topic_name(std::string("a\0b", 3)).ok());
    EXPECT_FALSE(check_topic_name(std::string("..\0", 3)).ok());
    EXPECT_FALSE(check_topic_name("..\\x").ok());
    EXPECT_FALSE(check_topic_name("%2e%2e").ok());
    EXPECT_FALSE(check_group_id(std::string("g\0", 2)).ok());
    EXPECT_FALSE(check_group_id("../x").ok());
}

TEST(names_test, percent_encoded_dot_dot_decodes_to_a_refused_name) {
    auto t = http::parse_target("/api/v1/topics/%2e%2e?group_id=%2E%2E%2Fx");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->path, "/api/v1/topics/..");
    EXPECT_FALSE(check_topic_name("..").ok());
    EXPECT_FALSE(check_group_id(*t->get("group_id")).ok());  // "../x"
}

TEST(names_test, very_long_names_are_refused_past_their_limit) {
    EXPECT_TRUE(check_topic_name(std::string(max_topic_name, 'x')).ok());
    EXPECT_FALSE(check_topic_name(std::string(max_topic_name + 1, 'x')).ok());
    EXPECT_FALSE(check_topic_name(std::string(1 << 20, 'x')).ok());
    EXPECT_FALSE(check_group_id(std::string(max_group_id + 1, 'g')).ok());
}

TEST(names_test, the_deleted_topic_prefix_is_reserved) {
    // A topic named so would be wiped as a half-done delete at the next start.
    EXPECT_FALSE(check_topic_name(".deleted-orders-1700000000000").ok());
    EXPECT_FALSE(check_topic_name(".deleted-").ok());
    EXPECT_TRUE(check_topic_name(".deleted").ok());
    EXPECT_TRUE(check_topic_name("x.deleted-y").ok());
}

TEST(names_test, the_offsets_topic_is_internal_a_broker_may_hold_it_and_clients_may_not_name_it) {
    EXPECT_TRUE(is_internal_topic("__consumer_offsets"));
    EXPECT_FALSE(is_internal_topic("consumer_offsets"));
    EXPECT_FALSE(check_topic_name("__consumer_offsets").ok());
    EXPECT_TRUE(check_stored_topic_name("__consumer_offsets").ok());
    EXPECT_FALSE(check_stored_topic_name("__other").ok());
    EXPECT_FALSE(check_stored_topic_name("a/b").ok());
    EXPECT_TRUE(check_stored_topic_name("orders").ok());
}

}  // namespace
}  // namespace gafka::rules
