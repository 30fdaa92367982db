// Which file failures a full disk explains (status_code::no_space: a log may
// write again once there is room) and which it never does (an fsync's).
#include <fcntl.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "gafka/util/file.h"

namespace gafka::util {
namespace {

TEST(file_test, a_write_to_a_full_device_is_no_space) {
    auto f = file::open("/dev/full", O_WRONLY);
    if (!f.ok()) GTEST_SKIP() << "no /dev/full: " << f.error().message();
    auto s = f->pwrite_all("x", 1, 0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), status_code::no_space) << s.to_string();
    EXPECT_EQ(status::from_errno("write /data/x.log", EDQUOT).code(), status_code::no_space);
}

TEST(file_test, an_fsync_that_fails_for_want_of_space_is_never_no_space) {
    // fsyncgate: the pages it failed to write may be dropped already, so
    // this is never a failure to wait out and retry.
    auto s = status::sync_failure("fdatasync /data/x.log", ENOSPC);
    EXPECT_EQ(s.code(), status_code::io_error);
    EXPECT_EQ(s.message(), "fdatasync /data/x.log: No space left on device");
}

TEST(file_test, other_write_errors_are_io_errors) {
    EXPECT_EQ(status::from_errno("write /data/x.log", EIO).code(), status_code::io_error);
}

}  // namespace
}  // namespace gafka::util
