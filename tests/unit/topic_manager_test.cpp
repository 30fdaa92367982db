// broker::topic_manager with a damaged topic on disk: the others are served,
// the damaged one is kept aside untouched, and its name cannot be taken.
#include "gafka/broker/topic_manager.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace gafka::broker {
namespace {

namespace fs = std::filesystem;

class topic_manager_test : public ::testing::Test {
protected:
    result<std::unique_ptr<topic_manager>> open() { return topic_manager::open(tmp_.path(), 1, {}, {}); }

    // Creates topics h1 and h2 and closes the manager again.
    void make_two_topics() {
        auto tm = open();
        ASSERT_TRUE(tm.ok()) << tm.error().to_string();
        ASSERT_TRUE((*tm)->create("h1", {}).ok());
        ASSERT_TRUE((*tm)->create("h2", {.partitions = 2}).ok());
        ASSERT_TRUE((*tm)->close().ok());
    }

    fs::path meta(const std::string& topic) const { return tmp_.path() / "topics" / topic / "topic.json"; }

    test::temp_dir tmp_;
};

TEST_F(topic_manager_test, a_truncated_topic_json_sets_that_topic_aside_and_serves_the_others) {
    make_two_topics();
    test::truncate_to(meta("h2"), 10);
    auto tm = open();
    ASSERT_TRUE(tm.ok()) << tm.error().to_string();
    EXPECT_NE((*tm)->find("h1"), nullptr);
    EXPECT_EQ((*tm)->find("h2"), nullptr);
    ASSERT_EQ((*tm)->damaged_topics().size(), 1u);
    const auto* d = (*tm)->damaged("h2");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->path, meta("h2"));
    EXPECT_EQ((*tm)->damaged("h1"), nullptr);
}

TEST_F(topic_manager_test, creating_a_damaged_topics_name_is_refused_and_leaves_its_files_alone) {
    make_two_topics();
    test::truncate_to(meta("h2"), 10);
    auto before = test::file_bytes(meta("h2"));
    auto tm = open();
    ASSERT_TRUE(tm.ok());
    auto created = (*tm)->create("h2", {});
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().code(), status_code::unavailable);
    EXPECT_NE(created.error().message().find(meta("h2").string()), std::string::npos);
    EXPECT_EQ(test::file_bytes(meta("h2")), before);
    EXPECT_TRUE(fs::exists(tmp_.path() / "topics" / "h2" / "1"));
}

TEST_F(topic_manager_test, a_topic_dir_without_topic_json_is_skipped_not_damaged) {
    make_two_topics();
    fs::remove(meta("h2"));
    auto tm = open();
    ASSERT_TRUE(tm.ok());
    EXPECT_EQ((*tm)->find("h2"), nullptr);
    EXPECT_TRUE((*tm)->damaged_topics().empty());
}

}  // namespace
}  // namespace gafka::broker
