// broker::topic_manager with a damaged topic on disk: the others are served,
// the damaged one is kept aside untouched, and its name cannot be taken.
#include "gafka/broker/topic_manager.h"

#include <gtest/gtest.h>

#include "gafka/log/decoded_batch.h"
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

TEST_F(topic_manager_test, the_cluster_incarnation_is_kept_in_topic_json_only_when_there_is_one) {
    {
        auto tm = open();
        ASSERT_TRUE(tm.ok());
        ASSERT_TRUE((*tm)->create("plain", {}).ok());
        (*tm)->set_new_topic_incarnation(-1);
        ASSERT_TRUE((*tm)->create("member", {}).ok());
        ASSERT_TRUE((*tm)->create("given", {.cluster_incarnation = 77}).ok());
        auto stamped = (*tm)->set_cluster_incarnation("member", 42);
        ASSERT_TRUE(stamped.ok());
        EXPECT_EQ((*stamped)->config.cluster_incarnation, 42);
        EXPECT_EQ((*tm)->find("member"), *stamped);
        EXPECT_EQ((*tm)->set_cluster_incarnation("nope", 1).error().code(), status_code::not_found);
        ASSERT_TRUE((*tm)->close().ok());
    }
    EXPECT_EQ(test::file_bytes(meta("plain")).find("cluster_incarnation"), std::string::npos);
    auto tm = open();
    ASSERT_TRUE(tm.ok());
    EXPECT_EQ((*tm)->find("plain")->config.cluster_incarnation, 0);
    EXPECT_EQ((*tm)->find("member")->config.cluster_incarnation, 42);
    EXPECT_EQ((*tm)->find("given")->config.cluster_incarnation, 77);
    auto parsed = parse_topic_config_json(R"({"partitions":1,"cluster_incarnation":-1})");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->cluster_incarnation, -1);
}

// --- compression (Kafka's compression.type) ---

class topic_compression_test : public topic_manager_test {
protected:
    // Appends `batch` to partition 0 of a new topic with compression `t`;
    // returns the batch as stored.
    std::string stored(log::compression_type t, std::string batch) {
        auto tm = open();
        EXPECT_TRUE(tm.ok());
        auto topic = (*tm)->create(log::to_string(t), {.compression = t});
        EXPECT_TRUE(topic.ok());
        auto& p = *(*topic)->partitions[0];
        EXPECT_TRUE(p.append(std::move(batch)).ok());
        auto r = p.log().read(0, 1 << 20);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(log::check_batch(r->data), log::batch_problem::none);
        return r->data;
    }

    static std::string plain_batch() {
        log::batch_builder b;
        for (int i = 0; i < 20; ++i) b.add(1000 + i, std::nullopt, "the same line, again and again " + std::to_string(i));
        return b.finish();
    }

    static std::vector<std::string> values(std::string_view batch) {
        log::decoded_batch d(batch);
        std::vector<std::string> out;
        log::record_view r;
        while (d.next(r)) out.emplace_back(*r.value);
        return out;
    }
};

TEST_F(topic_compression_test, a_codec_topic_stores_an_uncompressed_batch_compressed_with_the_same_records) {
    auto batch = stored(log::compression_type::zstd, plain_batch());
    EXPECT_EQ(log::decode_header(batch.data()).compression(), static_cast<int>(log::codec::zstd));
    EXPECT_LT(batch.size(), plain_batch().size());
    EXPECT_EQ(values(batch), values(plain_batch()));
}

TEST_F(topic_compression_test, producer_keeps_a_compressed_batch_byte_for_byte_and_uncompressed_unpacks_it) {
    auto gz = log::compress_batch(plain_batch(), log::codec::gzip).value();
    auto kept = stored(log::compression_type::producer, gz);
    EXPECT_EQ(kept.substr(log::batch_field::magic), gz.substr(log::batch_field::magic));  // all but offset and epoch
    auto unpacked = stored(log::compression_type::uncompressed, gz);
    EXPECT_EQ(log::decode_header(unpacked.data()).compression(), 0);
    EXPECT_EQ(values(unpacked), values(plain_batch()));
}

TEST_F(topic_compression_test, the_setting_is_kept_in_topic_json_and_a_bad_one_sets_the_topic_aside) {
    {
        auto tm = open();
        ASSERT_TRUE((*tm)->create("lz", {.compression = log::compression_type::lz4}).ok());
        ASSERT_TRUE((*tm)->close().ok());
    }
    {
        auto tm = open();
        ASSERT_NE((*tm)->find("lz"), nullptr);
        EXPECT_EQ((*tm)->find("lz")->config.compression, log::compression_type::lz4);
        ASSERT_TRUE((*tm)->close().ok());
    }
    auto text = test::file_bytes(meta("lz"));
    auto at = text.find("\"lz4\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 5, "\"lz5\"");
    test::truncate_to(meta("lz"), 0);
    test::append_bytes(meta("lz"), text);
    auto tm = open();
    EXPECT_EQ((*tm)->find("lz"), nullptr);
    ASSERT_NE((*tm)->damaged("lz"), nullptr);
    EXPECT_EQ((*tm)->damaged("lz")->reason, "topic.json: bad compression");
}

}  // namespace
}  // namespace gafka::broker
