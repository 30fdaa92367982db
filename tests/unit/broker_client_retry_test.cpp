// client::may_retry: --retries, and in a cluster the failover window too.
#include <gtest/gtest.h>

#include "gafka/client/broker_client.h"

namespace gafka::client {
namespace {

using std::chrono::milliseconds;

TEST(may_retry, outside_a_cluster_retries_decide_alone) {
    EXPECT_TRUE(may_retry(0, 5, milliseconds(0), milliseconds(0)));
    EXPECT_TRUE(may_retry(4, 5, milliseconds(60000), milliseconds(0)));
    EXPECT_FALSE(may_retry(5, 5, milliseconds(0), milliseconds(0)));
    EXPECT_FALSE(may_retry(0, 0, milliseconds(0), milliseconds(0)));  // --retries 0: one try
}

TEST(may_retry, in_a_cluster_a_failover_is_waited_out_past_the_retries) {
    const milliseconds window(14000);
    EXPECT_TRUE(may_retry(5, 5, milliseconds(2500), window));
    EXPECT_TRUE(may_retry(40, 5, milliseconds(13999), window));
    EXPECT_FALSE(may_retry(40, 5, milliseconds(14000), window));
    // More retries than the window holds: they still count.
    EXPECT_TRUE(may_retry(10, 30, milliseconds(20000), window));
}

}  // namespace
}  // namespace gafka::client
