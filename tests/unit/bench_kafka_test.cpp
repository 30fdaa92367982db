// gafka-bench's Kafka side that needs no broker: record values, the
// options --protocol kafka refuses, and the librdkafka configuration.
#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include "gafka/tools/bench_kafka_client.h"
#include "gafka/tools/bench_options.h"

namespace gafka::tools {
namespace {

std::string conf_value(rd_kafka_conf_t* conf, const char* name) {
    char buf[256];
    size_t size = sizeof buf;
    if (rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_OK) return "?";
    return buf;
}

}  // namespace

TEST(bench_kafka_test, values_are_the_filler_and_a_stamp_reads_back) {
    kafka_value v(30);
    EXPECT_EQ(std::string(v.data(), v.size()), "abcdefghijklmnopqrstuvwxyzabcd");
    EXPECT_FALSE(read_stamp(std::string_view(v.data(), v.size())));
    v.stamp(1'234'567'890'123);
    EXPECT_EQ(std::string(v.data(), v.size()), "00000001234567890123 vwxyzabcd");
    EXPECT_EQ(read_stamp(std::string_view(v.data(), v.size())), 1'234'567'890'123);
    v.stamp(7);  // a later stamp replaces the earlier one whole
    EXPECT_EQ(read_stamp(std::string_view(v.data(), v.size())), 7);
}

TEST(bench_kafka_test, http_only_flags_are_usage_errors_with_kafka) {
    load_bench_options opts;
    opts.protocol = bench_protocol::kafka;
    EXPECT_FALSE(check_load_options(opts));
    opts.http_only_flag = "--tls-ca";
    auto bad = check_load_options(opts);
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->find("--tls-ca is not supported with --protocol kafka"), std::string::npos) << *bad;
}

TEST(bench_kafka_test, producer_conf_follows_the_options) {
    load_bench_options opts;
    opts.brokers = "127.0.0.1:9092";
    opts.batch_size = 2000;
    opts.size = 1024;
    auto* conf = kafka_conf(opts, kafka_role::producer);
    EXPECT_EQ(conf_value(conf, "bootstrap.servers"), "127.0.0.1:9092");
    EXPECT_EQ(conf_value(conf, "enable.idempotence"), "true");
    EXPECT_EQ(conf_value(conf, "batch.num.messages"), "2000");
    // Under the broker's 1048588-byte batch limit, however many records are asked for.
    EXPECT_EQ(conf_value(conf, "batch.size"), "1000000");
    rd_kafka_conf_destroy(conf);

    opts.acks = "1";  // librdkafka allows idempotence only with acks=all
    opts.batch_size = 10;
    conf = kafka_conf(opts, kafka_role::producer);
    EXPECT_EQ(conf_value(conf, "enable.idempotence"), "false");
    EXPECT_EQ(conf_value(conf, "acks"), "1");
    EXPECT_EQ(conf_value(conf, "batch.size"), std::to_string(61 + 10 * (1024 + 32)));
    rd_kafka_conf_destroy(conf);
}

TEST(bench_kafka_test, consumer_fetches_up_to_batch_size_records_a_partition) {
    load_bench_options opts;
    opts.brokers = "127.0.0.1:9092";
    opts.size = 1024;
    opts.batch_size = 10000;  // as scripts/bench/kafka.bash's catch-up read
    auto* conf = kafka_conf(opts, kafka_role::consumer);
    EXPECT_EQ(conf_value(conf, "max.partition.fetch.bytes"), std::to_string(61 + 10000 * (1024 + 32)));
    rd_kafka_conf_destroy(conf);

    opts.batch_size = 10;  // never below librdkafka's own 1 MiB default
    conf = kafka_conf(opts, kafka_role::consumer);
    EXPECT_EQ(conf_value(conf, "max.partition.fetch.bytes"), "1048576");
    rd_kafka_conf_destroy(conf);

    opts.batch_size = 1'000'000;  // under fetch.max.bytes
    conf = kafka_conf(opts, kafka_role::consumer);
    EXPECT_EQ(conf_value(conf, "max.partition.fetch.bytes"), "50000000");
    rd_kafka_conf_destroy(conf);
}

TEST(bench_kafka_test, kafka_options_are_set_last_and_checked_first) {
    load_bench_options opts;
    opts.protocol = bench_protocol::kafka;
    opts.kafka_options = {"linger.ms=0", "enable.idempotence=false"};
    EXPECT_FALSE(check_load_options(opts));
    auto* conf = kafka_conf(opts, kafka_role::producer);
    EXPECT_EQ(conf_value(conf, "linger.ms"), "0");
    EXPECT_EQ(conf_value(conf, "enable.idempotence"), "false");  // over gafka-bench's own "true"
    rd_kafka_conf_destroy(conf);

    opts.kafka_options = {"linger.ms=0", "no.such.setting=1"};
    auto bad = check_load_options(opts);
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->find("no.such.setting"), std::string::npos) << *bad;
    opts.kafka_options = {"linger.ms"};
    bad = check_load_options(opts);
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->find("KEY=VALUE"), std::string::npos) << *bad;
    opts.kafka_options = {"linger.ms=0"};
    opts.protocol = bench_protocol::http;
    bad = check_load_options(opts);
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->find("--kafka-option needs --protocol kafka"), std::string::npos) << *bad;
}

TEST(bench_kafka_test, e2e_sends_each_record_at_once_without_nagle_unless_told_otherwise) {
    load_bench_options opts;
    opts.protocol = bench_protocol::kafka;
    auto* conf = kafka_conf(opts, kafka_role::producer);  // produce: librdkafka's own
    EXPECT_EQ(conf_value(conf, "linger.ms"), "5");
    EXPECT_EQ(conf_value(conf, "socket.nagle.disable"), "false");
    rd_kafka_conf_destroy(conf);

    opts.mode = load_mode::e2e;
    for (auto role : {kafka_role::producer, kafka_role::consumer}) {
        conf = kafka_conf(opts, role);
        EXPECT_EQ(conf_value(conf, "socket.nagle.disable"), "true");
        if (role == kafka_role::producer) {
            EXPECT_EQ(conf_value(conf, "linger.ms"), "0");
        }
        rd_kafka_conf_destroy(conf);
    }
    EXPECT_EQ(e2e_settings_in_effect(opts), "linger.ms=0,socket.nagle.disable=true");

    opts.kafka_options = {"linger.ms=1", "linger.ms=5", "socket.nagle.disable=false"};  // the last one wins
    conf = kafka_conf(opts, kafka_role::producer);
    EXPECT_EQ(conf_value(conf, "linger.ms"), "5");
    EXPECT_EQ(conf_value(conf, "socket.nagle.disable"), "false");
    rd_kafka_conf_destroy(conf);
    EXPECT_EQ(e2e_settings_in_effect(opts), "linger.ms=5,socket.nagle.disable=false");
}

}  // namespace gafka::tools
