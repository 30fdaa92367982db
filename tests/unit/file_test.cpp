// util::is_no_space: which failures a full disk explains (a log may write
// again once there is room) and which it never does (an fsync's).
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
    EXPECT_TRUE(is_no_space(s)) << s.to_string();
    EXPECT_TRUE(is_no_space(status::from_errno("write /data/x.log", EDQUOT)));
}

TEST(file_test, an_fsync_that_fails_for_want_of_space_is_never_no_space) {
    // fsyncgate: the pages it failed to write may be dropped already, so
    // this is never a failure to wait out and retry.
    EXPECT_FALSE(is_no_space(status::from_errno("fdatasync /data/x.log", ENOSPC)));
    EXPECT_FALSE(is_no_space(status::from_errno("fsync /data/x.log", ENOSPC)));
}

TEST(file_test, other_write_errors_are_not_no_space) {
    EXPECT_FALSE(is_no_space(status::from_errno("write /data/x.log", EIO)));
    EXPECT_FALSE(is_no_space(status::corruption("write /data/x.log: No space left on device")));
    EXPECT_FALSE(is_no_space(status{}));
}

}  // namespace
}  // namespace gafka::util
