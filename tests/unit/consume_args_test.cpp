// gafka-consume's flags turned into consume_options: what CLI11 cannot check.
#include "gafka/client/consume_args.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace gafka::client {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

std::optional<std::string> apply(const consume_args& a, consume_options& o) { return apply_consume_args(a, now, o); }

TEST(consume_args_test, defaults_give_json_from_the_end_with_a_30s_poll) {
    consume_options o;
    EXPECT_FALSE(apply({}, o));
    EXPECT_EQ(o.timeout, std::chrono::seconds(30));
    EXPECT_FALSE(o.values_only);
    EXPECT_EQ(o.offset, "latest");
    EXPECT_FALSE(o.from_time_ms);
    EXPECT_TRUE(o.consumer_id.empty());  // no group: no member id
}

TEST(consume_args_test, reads_timeout_format_start_and_time) {
    consume_args a;
    a.timeout = "500ms";
    a.format = "value";
    a.from_beginning = true;
    a.from_time = "-1h";
    consume_options o;
    EXPECT_FALSE(apply(a, o));
    EXPECT_EQ(o.timeout, std::chrono::milliseconds(500));
    EXPECT_TRUE(o.values_only);
    EXPECT_EQ(o.offset, "earliest");
    EXPECT_EQ(o.from_time_ms, now - 3'600'000);
}

TEST(consume_args_test, a_numeric_offset_needs_a_partition) {
    consume_args a;
    a.offset = "42";
    consume_options o;
    EXPECT_EQ(apply(a, o), "--offset N needs --partition");
    o.partition = 1;
    EXPECT_FALSE(apply(a, o));
    EXPECT_EQ(o.offset, "42");
}

TEST(consume_args_test, refuses_what_is_not_a_duration_offset_or_time) {
    consume_options o;
    consume_args a;
    a.timeout = "31s";
    EXPECT_EQ(apply(a, o), "--timeout is at most 30s");
    a = {};
    a.timeout = "soon";
    EXPECT_TRUE(apply(a, o));
    a = {};
    a.offset = "-3";
    EXPECT_EQ(apply(a, o), "--offset takes a number, earliest or latest");
    a = {};
    a.from_time = "yesterday";
    auto e = apply(a, o);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->rfind("--from-time: invalid time 'yesterday'", 0), 0u) << *e;
}

TEST(consume_args_test, a_group_member_without_an_id_is_named_after_host_and_pid) {
    consume_options o{};  // {}: without it g++ 12 -O2 warns that group may be uninitialized (a false positive)
    o.group = "g";
    EXPECT_FALSE(apply({}, o));
    EXPECT_NE(o.consumer_id.find('-' + std::to_string(getpid())), std::string::npos) << o.consumer_id;
    o.consumer_id = "worker-1";
    EXPECT_FALSE(apply({}, o));
    EXPECT_EQ(o.consumer_id, "worker-1");
}

}  // namespace
}  // namespace gafka::client
