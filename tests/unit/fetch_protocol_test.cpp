// The replica fetch's bytes (replication/fetch_protocol.h).
#include "gafka/replication/fetch_protocol.h"

#include <gtest/gtest.h>

namespace gafka::replication {

TEST(fetch_protocol_test, a_request_round_trips) {
    fetch_request r{2, "127.0.0.1", 9002, 3, 500, {{"orders", 1, 120, 3}, {"t", 0, 0, no_epoch}}};
    auto back = parse_fetch_request(encode_fetch_request(r));
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->replica, 2);
    EXPECT_EQ(back->host, "127.0.0.1");
    EXPECT_EQ(back->port, 9002);
    EXPECT_EQ(back->leader_epoch, 3);
    EXPECT_EQ(back->max_wait_ms, 500);
    ASSERT_EQ(back->partitions.size(), 2u);
    EXPECT_EQ(back->partitions[0].topic, "orders");
    EXPECT_EQ(back->partitions[0].offset, 120);
    EXPECT_EQ(back->partitions[1].last_epoch, no_epoch);
    EXPECT_EQ(back->partitions[1].incarnation, 0);  // not known: not sent
}

TEST(fetch_protocol_test, a_partitions_incarnation_round_trips_when_known_and_must_be_positive) {
    fetch_request r{2, "127.0.0.1", 9002, 3, 500, {{"orders", 1, 120, 3, 4711}}};
    auto encoded = encode_fetch_request(r);
    EXPECT_NE(encoded.find("\"incarnation\":4711"), std::string::npos) << encoded;
    auto back = parse_fetch_request(encoded);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->partitions[0].incarnation, 4711);
    for (auto bad : {"0", "-1", "\"7\""}) {
        auto body = R"({"replica_id":2,"host":"h","port":1,"leader_epoch":0,"max_wait_ms":0,"partitions":[)"
                    R"({"topic":"t","partition":0,"offset":0,"last_epoch":-1,"incarnation":)" +
                    std::string(bad) + "}]}";
        auto refused = parse_fetch_request(body);
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_NE(refused.error().message().find("incarnation"), std::string::npos) << refused.error().message();
    }
}

TEST(fetch_protocol_test, a_bad_request_is_refused_with_a_reason) {
    const char* bad[] = {
        "", "[]", R"({"host":"h","port":1,"leader_epoch":0,"max_wait_ms":0,"partitions":[]})",
        R"({"replica_id":2,"host":"h","port":0,"leader_epoch":0,"max_wait_ms":0,"partitions":[]})",
        R"({"replica_id":2,"host":"h","port":1,"leader_epoch":0,"max_wait_ms":99999,"partitions":[]})",
        R"({"replica_id":2,"host":"h","port":1,"leader_epoch":0,"max_wait_ms":0,"partitions":[{"topic":"..","partition":0,"offset":0,"last_epoch":-1}]})",
        R"({"replica_id":2,"host":"h","port":1,"leader_epoch":0,"max_wait_ms":0,"partitions":[{"topic":"t","partition":0,"offset":-1,"last_epoch":-1}]})",
    };
    for (const char* b : bad) {
        auto r = parse_fetch_request(b);
        EXPECT_FALSE(r.ok()) << b;
        if (!r.ok()) {
            EXPECT_NE(r.error().message().find("replica fetch"), std::string::npos);
        }
    }
}

TEST(fetch_protocol_test, a_response_carries_raw_bytes_errors_and_divergence) {
    std::string body;
    append_response_header(body, {1, 4, "abc", "", 0}, 3);
    fetch_partition_response data;
    data.topic = "t";
    data.high_watermark = 10;
    data.log_end_offset = 12;
    data.isr = {1, 2};
    std::string raw("\0\1\2\n{not json", 13);
    append_partition_response(body, data, raw);
    fetch_partition_response err;
    err.topic = "gone";
    err.error = "unknown_topic";
    err.message = "no partition gone/0 here";
    append_partition_response(body, err, "");
    fetch_partition_response div;
    div.topic = "t";
    div.partition = 1;
    div.diverging = epoch_end{0, 50};
    append_partition_response(body, div, "");

    auto r = parse_fetch_response(body);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->header.leader_id, 1);
    EXPECT_EQ(r->header.leader_epoch, 4);
    EXPECT_EQ(r->header.topics_version, "abc");
    ASSERT_EQ(r->partitions.size(), 3u);
    EXPECT_EQ(r->partitions[0].records, raw);
    EXPECT_EQ(r->partitions[0].isr, (std::vector<replica_id>{1, 2}));
    EXPECT_EQ(r->partitions[0].high_watermark, 10);
    EXPECT_EQ(r->partitions[1].error, "unknown_topic");
    EXPECT_EQ(r->partitions[2].diverging, (epoch_end{0, 50}));
    // Cut short anywhere, it is an error, never a partial answer.
    for (std::size_t n : {std::size_t{0}, std::size_t{10}, body.size() - 1})
        EXPECT_FALSE(parse_fetch_response(std::string_view(body).substr(0, n)).ok()) << n;
    EXPECT_FALSE(parse_fetch_response(body + "x").ok());
}

TEST(fetch_protocol_test, a_response_header_names_the_leaders_kafka_listener_when_it_has_one) {
    std::string with, without;
    append_response_header(with, {1, 4, "abc", "10.0.0.1", 9092}, 0);
    append_response_header(without, {1, 4, "abc", "", 0}, 0);
    auto a = parse_fetch_response(with);
    ASSERT_TRUE(a.ok()) << a.error().to_string();
    EXPECT_EQ(a->header.kafka_host, "10.0.0.1");
    EXPECT_EQ(a->header.kafka_port, 9092);
    auto b = parse_fetch_response(without);
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_EQ(b->header.kafka_port, 0);
    EXPECT_EQ(without.find("kafka"), std::string::npos);
}

}  // namespace gafka::replication
