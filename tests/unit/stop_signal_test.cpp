// stop_signal_fd in forked children (its handlers are process-wide and
// one-shot, so the test binary itself never installs them): a signal makes
// the descriptor readable instead of ending the process, a second one ends
// it, and a signal ignored at start stays ignored.
#include "gafka/cli/stop_signal.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <functional>

namespace gafka::cli {
namespace {

// Runs `child` in a forked process (only async-signal-safe calls in it) and
// returns its wait status.
int in_child(const std::function<int()>& child) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(child());
    int status = -1;
    ::waitpid(pid, &status, 0);
    return status;
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

TEST(stop_signal_test, sigterm_makes_the_descriptor_readable_and_the_process_runs_on) {
    int status = in_child([] {
        int fd = stop_signal_fd();
        if (fd < 0) return 10;
        if (stop_signal_fd() != fd) return 11;  // installed once
        if (readable(fd)) return 12;
        ::raise(SIGTERM);
        if (!readable(fd)) return 13;
        return 0;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(stop_signal_test, sigint_does_the_same) {
    int status = in_child([] {
        int fd = stop_signal_fd();
        ::raise(SIGINT);
        return fd >= 0 && readable(fd) ? 0 : 1;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(stop_signal_test, a_second_signal_ends_the_process_the_default_way) {
    int status = in_child([] {
        if (stop_signal_fd() < 0) return 1;
        ::raise(SIGTERM);
        ::raise(SIGTERM);
        return 2;
    });
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(stop_signal_test, a_signal_ignored_at_start_stays_ignored) {
    int status = in_child([] {
        ::signal(SIGINT, SIG_IGN);
        int fd = stop_signal_fd();
        ::raise(SIGINT);
        if (readable(fd)) return 1;
        struct sigaction now {};
        ::sigaction(SIGINT, nullptr, &now);
        return now.sa_handler == SIG_IGN ? 0 : 2;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace gafka::cli
