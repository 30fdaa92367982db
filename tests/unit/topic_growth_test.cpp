// topic_manager::add_partitions: a topic grows (never shrinks), the old
// partitions keep their records, and the new count survives a reopen.
#include <gtest/gtest.h>

#include "gafka/broker/topic_manager.h"
#include "gafka/log/batch.h"
#include "test_support.h"

namespace gafka::broker {
namespace {

namespace fs = std::filesystem;

class topic_growth_test : public ::testing::Test {
protected:
    void SetUp() override {
        tm_ = open();
        auto t = tm_->create("g", {.partitions = 2, .retention_bytes = 4096, .compression = log::compression_type::gzip});
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        log::batch_builder b;
        b.add(1000, std::nullopt, "kept where it is");
        ASSERT_TRUE((*t)->partitions[0]->append(b.finish()).ok());
    }

    std::unique_ptr<topic_manager> open() {
        auto tm = topic_manager::open(tmp_.path(), 1, {}, {});
        EXPECT_TRUE(tm.ok()) << tm.error().to_string();
        return tm.ok() ? std::move(*tm) : nullptr;
    }

    fs::path dir() const { return tmp_.path() / "topics" / "g"; }

    test::temp_dir tmp_;
    std::unique_ptr<topic_manager> tm_;
};

TEST_F(topic_growth_test, adds_empty_partitions_and_shares_the_old_ones_with_the_previous_version) {
    auto before = tm_->find("g");
    auto grown = tm_->add_partitions("g", 5);
    ASSERT_TRUE(grown.ok()) << grown.error().to_string();
    ASSERT_EQ((*grown)->partitions.size(), 5u);
    EXPECT_EQ(tm_->find("g"), *grown);
    EXPECT_EQ(before->partitions.size(), 2u) << "a request holding the old version keeps its count";
    EXPECT_EQ((*grown)->partitions[0], before->partitions[0]);
    EXPECT_EQ((*grown)->partitions[0]->log().log_end_offset(), 1);
    for (std::size_t p = 2; p < 5; ++p) {
        EXPECT_EQ((*grown)->partitions[p]->id(), static_cast<partition_id>(p));
        EXPECT_EQ((*grown)->partitions[p]->log().log_end_offset(), 0);
        EXPECT_TRUE(fs::is_directory(dir() / std::to_string(p)));
    }
    EXPECT_EQ((*grown)->config.partitions, 5);
    EXPECT_EQ((*grown)->config.retention_bytes, 4096);
    EXPECT_EQ((*grown)->config.compression, log::compression_type::gzip);
}

TEST_F(topic_growth_test, the_new_count_and_the_settings_survive_a_reopen) {
    ASSERT_TRUE(tm_->add_partitions("g", 4).ok());
    ASSERT_TRUE(tm_->close().ok());
    tm_.reset();
    auto config = read_topic_config_file(dir() / "topic.json");
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->partitions, 4);
    EXPECT_EQ(config->compression, log::compression_type::gzip);
    auto tm = open();
    auto t = tm->find("g");
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->partitions.size(), 4u);
    EXPECT_EQ(t->partitions[0]->log().log_end_offset(), 1);
    EXPECT_EQ(t->partitions[3]->log().log_end_offset(), 0);
}

TEST_F(topic_growth_test, the_same_or_a_smaller_count_is_refused_and_changes_nothing) {
    auto json = test::file_bytes(dir() / "topic.json");
    auto before = tm_->find("g");
    for (std::int32_t n : {2, 1, 0}) {
        auto r = tm_->add_partitions("g", n);
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.error().code(), status_code::invalid_argument);
        EXPECT_NE(r.error().message().find("has 2 partitions"), std::string::npos) << r.error().message();
    }
    EXPECT_EQ(tm_->find("g"), before);
    EXPECT_EQ(test::file_bytes(dir() / "topic.json"), json);
    EXPECT_FALSE(fs::exists(dir() / "2"));
}

TEST_F(topic_growth_test, an_unknown_topic_is_not_found_and_too_many_partitions_is_refused) {
    auto unknown = tm_->add_partitions("nope", 3);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code(), status_code::not_found);
    auto too_many = tm_->add_partitions("g", 101);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.error().code(), status_code::invalid_argument);
    EXPECT_FALSE(fs::exists(dir() / "2"));
    EXPECT_EQ(tm_->find("g")->partitions.size(), 2u);
}

}  // namespace
}  // namespace gafka::broker
