#include "gafka/client/record_exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <cerrno>
#include <ctime>
#include <cstdlib>

namespace gafka::client {
namespace {

// Writes all of `data` to `fd`; a reader that stops early (EPIPE) is not an
// error: the command may ignore its input. SIGPIPE is blocked meanwhile and
// a pending one taken back, so the caller's own SIGPIPE handling (a closed
// stdout ends gafka-consume quietly) is left as it was.
void write_all(int fd, std::string_view data) {
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    bool was_pending = ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    bool broken = false;
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            broken = n < 0 && errno == EPIPE;
            break;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    if (broken && !was_pending) {
        timespec zero{0, 0};
        ::sigtimedwait(&pipe_only, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

result<exec_outcome> run_for_record(const std::string& command, std::string_view input,
                                    const std::vector<std::pair<std::string, std::string>>& env,
                                    const std::function<void()>& keep_alive,
                                    std::chrono::milliseconds keep_alive_every) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return status::from_errno("pipe", errno);
    std::fflush(nullptr);  // nothing buffered may be written twice (once by the child)
    pid_t pid = ::fork();
    if (pid < 0) {
        int e = errno;
        ::close(in[0]);
        ::close(in[1]);
        return status::from_errno("fork", e);
    }
    if (pid == 0) {
        ::dup2(in[0], STDIN_FILENO);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        ::signal(SIGPIPE, SIG_DFL);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(in[0]);
    write_all(in[1], input);
    ::close(in[1]);

    // Wait for the command, keeping the member alive meanwhile: a pidfd
    // becomes readable when the child exits.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    int wstatus = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return status::from_errno("waitpid", errno);
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(keep_alive_every.count())) == 0 && keep_alive) keep_alive();
        } else {
            ::usleep(10'000);  // no pidfd (old kernel): poll the child
        }
    }
    if (pidfd >= 0) ::close(pidfd);
    exec_outcome out;
    out.exit_status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return out;
}

}  // namespace gafka::client
