// The broker's replication state file (replication/replication_state.h).
#include "gafka/replication/replication_state.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace gafka::replication {

TEST(replication_state_test, the_epoch_and_the_followers_survive_a_restart_and_promotion_goes_past_them) {
    test::temp_dir tmp;
    replication_options o;
    o.self = 2;
    o.follower = true;
    o.leader = replica_address{-1, "127.0.0.1", 9001};
    {
        auto s = replication_state::open(tmp.path(), o);
        ASSERT_TRUE(s.ok());
        EXPECT_FALSE((*s)->is_leader());
        ASSERT_TRUE((*s)->leader_answered(1, 3).ok());
        EXPECT_EQ((*s)->leader()->id, 1);
    }
    auto s = replication_state::open(tmp.path(), o);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->epoch(), 3);
    auto e = (*s)->promote();
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(*e, 4);
    EXPECT_TRUE((*s)->is_leader());
    auto same = (*s)->promote();  // already leads: nothing changes
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(*same, 4);
    ASSERT_TRUE((*s)->follower_fetched({1, "127.0.0.1", 9001}, 100).ok());
    EXPECT_EQ((*s)->live_followers(100), std::vector<replica_id>{1});
    EXPECT_TRUE((*s)->live_followers(100 + 20'000).empty());

    // A leader's options anew: g++ 12 -O2 warns (-Wmaybe-uninitialized) on
    // copying `o` once its leader was reset.
    replication_options as_leader;
    as_leader.self = 2;
    auto again = replication_state::open(tmp.path(), as_leader);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->epoch(), 4);
    ASSERT_EQ((*again)->followers().size(), 1u);
    EXPECT_EQ((*again)->followers()[0], (replica_address{1, "127.0.0.1", 9001}));
}

TEST(replication_state_test, a_damaged_state_file_is_refused) {
    test::temp_dir tmp;
    test::append_bytes(tmp.path() / replication_file, "{\"leader_epoch\":-1}");
    EXPECT_FALSE(replication_state::open(tmp.path(), {}).ok());
}

}  // namespace gafka::replication
