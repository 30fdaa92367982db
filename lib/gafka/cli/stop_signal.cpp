#include "gafka/cli/stop_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <initializer_list>

namespace gafka::cli {
namespace {

int pipe_fds[2] = {-1, -1};

// Async-signal-safe: one write, errno kept for the interrupted code. The
// pipe is non-blocking, so a full pipe (many signals) drops the byte, and
// one byte is all a reader needs.
extern "C" void on_stop_signal(int) {
    int saved = errno;
    char byte = 1;
    [[maybe_unused]] auto n = ::write(pipe_fds[1], &byte, 1);
    errno = saved;
}

}  // namespace

int stop_signal_fd() {
    if (pipe_fds[0] >= 0) return pipe_fds[0];
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        pipe_fds[0] = pipe_fds[1] = -1;
        return -1;
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    for (int sig : {SIGTERM, SIGINT}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        ::sigaction(sig, &sa, nullptr);
    }
    return pipe_fds[0];
}

}  // namespace gafka::cli
