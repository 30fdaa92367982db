// run_for_record with real /bin/sh commands: stdin, environment, exit
// status, signals, and the keep-alive calls while a command runs.
#include "gafka/client/record_exec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_support.h"

namespace gafka::client {
namespace {

int run(const std::string& command, std::string_view input = "",
        std::vector<std::pair<std::string, std::string>> env = {}) {
    auto r = run_for_record(command, input, env, nullptr, std::chrono::milliseconds(1000));
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->exit_status : -1;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(record_exec_test, the_record_is_on_stdin_and_the_environment_names_it) {
    test::temp_dir tmp;
    auto out = (tmp.path() / "out").string();
    EXPECT_EQ(run("{ cat; echo \" $GAFKA_TOPIC/$GAFKA_OFFSET\"; } > " + out, "{\"value\":\"v\"}",
                  {{"GAFKA_TOPIC", "orders"}, {"GAFKA_OFFSET", "42"}}),
              0);
    EXPECT_EQ(slurp(out), "{\"value\":\"v\"} orders/42\n");
}

TEST(record_exec_test, reports_the_exit_status_and_128_plus_a_killing_signal) {
    EXPECT_EQ(run("true"), 0);
    EXPECT_EQ(run("exit 3"), 3);
    EXPECT_EQ(run("kill -TERM $$"), 128 + 15);
    EXPECT_EQ(run("no-such-command-for-gafka 2>/dev/null"), 127);
}

TEST(record_exec_test, a_command_that_ignores_a_large_input_does_not_hang_or_kill_the_caller) {
    EXPECT_EQ(run("exit 0", std::string(4 << 20, 'x')), 0);
}

TEST(record_exec_test, keeps_the_member_alive_while_a_slow_command_runs) {
    int calls = 0;
    auto r = run_for_record("sleep 1", "", {}, [&] { ++calls; }, std::chrono::milliseconds(50));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_status, 0);
    EXPECT_GE(calls, 1);
}

}  // namespace
}  // namespace gafka::client
