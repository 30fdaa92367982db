// util::connection_limit: one --max-connections count shared by listeners.
#include <gtest/gtest.h>

#include "gafka/util/connection_limit.h"

namespace gafka::util {

TEST(connection_limit_test, takes_places_up_to_the_max_and_refuses_past_it_taking_nothing) {
    connection_limit l(2);
    EXPECT_TRUE(l.try_acquire());
    EXPECT_TRUE(l.try_acquire());
    EXPECT_FALSE(l.try_acquire());
    EXPECT_EQ(l.open(), 2);
    l.release();
    EXPECT_EQ(l.open(), 1);
    EXPECT_TRUE(l.try_acquire());
    EXPECT_FALSE(l.try_acquire());
    EXPECT_EQ(l.max(), 2);
}

}  // namespace gafka::util
