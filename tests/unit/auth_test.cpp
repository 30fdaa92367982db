// Bearer tokens: the token file format, the Authorization header, the
// constant-time comparison, and the router's 401.
#include "gafka/http/auth.h"
#include "gafka/util/token_file.h"

#include <gtest/gtest.h>

namespace gafka {
namespace {

TEST(token_file_test, reads_one_token_per_line_skipping_blanks_and_comments) {
    auto t = util::parse_tokens("# ops tokens\n\nalpha\n  beta  \r\n\t# old: gamma\ndelta");
    ASSERT_TRUE(t.ok()) << t.error().message();
    EXPECT_EQ(*t, (std::vector<std::string>{"alpha", "beta", "delta"}));
}

TEST(token_file_test, a_file_with_no_token_is_an_error) {
    EXPECT_FALSE(util::parse_tokens("").ok());
    EXPECT_FALSE(util::parse_tokens("\n# only a comment\n   \n").ok());
}

TEST(token_file_test, a_token_with_a_space_or_control_byte_names_its_line) {
    auto t = util::parse_tokens("ok\nnot ok\n");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message().find("line 2"), std::string::npos) << t.error().message();
    EXPECT_FALSE(util::parse_tokens(std::string("a\0b", 3)).ok());
    EXPECT_FALSE(util::parse_tokens("caf\xc3\xa9").ok());
}

TEST(token_file_test, an_unreadable_file_is_an_error_naming_it) {
    auto t = util::read_token_file("/nonexistent/gafka-tokens");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message().find("/nonexistent/gafka-tokens"), std::string::npos);
    EXPECT_FALSE(util::read_token_file("/").ok());  // a directory
}

TEST(auth_test, token_matches_only_an_exact_configured_token) {
    std::vector<std::string> tokens{"s3cret", "other-token"};
    EXPECT_TRUE(util::token_matches("s3cret", tokens));
    EXPECT_TRUE(util::token_matches("other-token", tokens));
    EXPECT_FALSE(util::token_matches("s3cre", tokens));     // a prefix
    EXPECT_FALSE(util::token_matches("s3cret2", tokens));   // longer
    EXPECT_FALSE(util::token_matches("S3cret", tokens));    // case matters
    EXPECT_FALSE(util::token_matches("", tokens));
    EXPECT_FALSE(util::token_matches(std::string("s3cret\0", 7), tokens));
    EXPECT_FALSE(util::token_matches("s3cret", {}));
}

TEST(auth_test, bearer_token_takes_the_scheme_in_any_case) {
    EXPECT_EQ(http::bearer_token("Bearer abc").value_or(""), "abc");
    EXPECT_EQ(http::bearer_token("bearer  abc ").value_or(""), "abc");
    EXPECT_EQ(http::bearer_token("BEARER abc").value_or(""), "abc");
    EXPECT_FALSE(http::bearer_token("Basic YWxhZGRpbjpvcGVu").has_value());
    EXPECT_FALSE(http::bearer_token("Bearer").has_value());
    EXPECT_FALSE(http::bearer_token("Bearer ").has_value());
    EXPECT_FALSE(http::bearer_token("").has_value());
    EXPECT_FALSE(http::bearer_token("Bearerabc").has_value());
}

}  // namespace
}  // namespace gafka
