// gafka-broker's limit and security flags as text (broker.h apply_limit_flags).
#include "gafka/server/broker.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace gafka::server {
namespace {

namespace fs = std::filesystem;

class broker_limits_test : public ::testing::Test {
protected:
    fs::path write(const std::string& name, const std::string& text) {
        auto p = dir_.path() / name;
        std::ofstream(p) << text;
        return p;
    }
    test::temp_dir dir_;
    broker_config c_;
};

TEST_F(broker_limits_test, reads_the_timeouts_and_every_token) {
    auto tokens = write("tokens", "# two\nfirst\nsecond\n");
    ASSERT_TRUE(apply_limit_flags(c_, "1s", "250ms", tokens.string()).ok());
    EXPECT_EQ(c_.idle_timeout, std::chrono::milliseconds(1000));
    EXPECT_EQ(c_.header_timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(c_.auth_tokens, (std::vector<std::string>{"first", "second"}));
}

TEST_F(broker_limits_test, no_token_file_means_no_authentication) {
    ASSERT_TRUE(apply_limit_flags(c_, "60s", "30s", "").ok());
    EXPECT_TRUE(c_.auth_tokens.empty());
}

TEST_F(broker_limits_test, zero_or_malformed_timeouts_are_refused_naming_the_flag) {
    auto s = apply_limit_flags(c_, "0s", "30s", "");
    EXPECT_NE(s.message().find("--idle-timeout"), std::string::npos) << s.message();
    s = apply_limit_flags(c_, "60s", "soon", "");
    EXPECT_NE(s.message().find("--header-timeout"), std::string::npos) << s.message();
}

TEST_F(broker_limits_test, an_empty_or_missing_token_file_is_refused) {
    auto empty = write("empty", "\n# nothing\n");
    auto s = apply_limit_flags(c_, "60s", "30s", empty.string());
    EXPECT_EQ(s.code(), status_code::invalid_argument);
    EXPECT_NE(s.message().find("--auth-token-file"), std::string::npos) << s.message();
    EXPECT_FALSE(apply_limit_flags(c_, "60s", "30s", (dir_.path() / "missing").string()).ok());
}

}  // namespace
}  // namespace gafka::server
