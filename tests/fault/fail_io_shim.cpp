/* An LD_PRELOAD shim that makes writes and fsyncs of chosen files fail, for
 * the fault harness (scripts/fault/campaign.sh):
 *
 *   GAFKA_FAIL_AFTER=N       calls that pass before the failures start
 *   GAFKA_FAIL_PATH=SUBSTR   only files whose path contains SUBSTR count
 *                            (default "/topics/", the partition logs)
 *   GAFKA_FAIL_OPS=write|fsync|both   which calls fail (default both)
 *   GAFKA_FAIL_ERRNO=N       the errno returned (default EIO; 28 is ENOSPC)
 *   GAFKA_FAIL_ARM=FILE      count (and fail) only while FILE exists, so a
 *                            test can let the broker start, then arm it
 *                            (and disarm it again: a disk that was full)
 *   GAFKA_FAIL_SHORT=1       a failing write first writes half its bytes and
 *                            returns that count, as a write that fills the
 *                            disk does; the caller's write of the rest fails
 *
 * write, pwrite and writev of a matching file, and fsync and fdatasync of
 * one, are counted together; call N+1 and every later one fails with the
 * errno and does nothing, as a dying disk or a full file system would.
 * Without GAFKA_FAIL_AFTER the shim only passes calls on.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>

namespace {

std::atomic<long> calls{0};
std::atomic<bool> just_shortened{false};

/* With GAFKA_FAIL_SHORT, every other failing write (the first of each
 * pwrite_all-style loop) writes half of `n` instead: returns that half, or 0
 * when the call should fail outright. */
size_t short_part(size_t n) {
    const char* s = getenv("GAFKA_FAIL_SHORT");
    if (!s || strcmp(s, "1") != 0 || n < 2) return 0;
    if (just_shortened.exchange(true)) {
        just_shortened = false;
        return 0;
    }
    return n / 2;
}

int fails_now(int fd, int is_sync) {
    static long after = -2;
    static const char* path_part;
    static int ops;  /* 1 write, 2 fsync, 3 both */
    static const char* arm;
    if (after == -2) {
        const char* a = getenv("GAFKA_FAIL_AFTER");
        const char* o = getenv("GAFKA_FAIL_OPS");
        path_part = getenv("GAFKA_FAIL_PATH");
        arm = getenv("GAFKA_FAIL_ARM");
        if (!path_part || !*path_part) path_part = "/topics/";
        ops = !o ? 3 : strcmp(o, "write") == 0 ? 1 : strcmp(o, "fsync") == 0 ? 2 : 3;
        after = a && *a ? atol(a) : -1;
    }
    if (after < 0) return 0;
    if (!(ops & (is_sync ? 2 : 1))) return 0;
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = '\0';
    if (!strstr(target, path_part)) return 0;
    if (arm && *arm && access(arm, F_OK) != 0) return 0;
    if (calls.fetch_add(1) < after) return 0;
    const char* e = getenv("GAFKA_FAIL_ERRNO");
    errno = e && *e ? atoi(e) : EIO;
    return 1;
}

}  // namespace

#define REAL(name, type) using name##_fn = type; static name##_fn real_##name; \
    if (!real_##name) real_##name = reinterpret_cast<name##_fn>(dlsym(RTLD_NEXT, #name))

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
    REAL(write, ssize_t (*)(int, const void*, size_t));
    if (fails_now(fd, 0)) {
        int err = errno;
        if (size_t half = short_part(n)) return real_write(fd, buf, half);
        errno = err;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t pos) {
    REAL(pwrite, ssize_t (*)(int, const void*, size_t, off_t));
    if (fails_now(fd, 0)) {
        int err = errno;
        if (size_t half = short_part(n)) return real_pwrite(fd, buf, half, pos);
        errno = err;
        return -1;
    }
    return real_pwrite(fd, buf, n, pos);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t pos) {
    REAL(pwrite64, ssize_t (*)(int, const void*, size_t, off_t));
    if (fails_now(fd, 0)) {
        int err = errno;
        if (size_t half = short_part(n)) return real_pwrite64(fd, buf, half, pos);
        errno = err;
        return -1;
    }
    return real_pwrite64(fd, buf, n, pos);
}

ssize_t writev(int fd, const struct iovec* iov, int cnt) {
    REAL(writev, ssize_t (*)(int, const struct iovec*, int));
    if (fails_now(fd, 0)) return -1;
    return real_writev(fd, iov, cnt);
}

int fsync(int fd) {
    REAL(fsync, int (*)(int));
    if (fails_now(fd, 1)) return -1;
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync, int (*)(int));
    if (fails_now(fd, 1)) return -1;
    return real_fdatasync(fd);
}

}  // extern "C"
