// kafka::counters: requests by API key, error codes found in answers.
#include <gtest/gtest.h>

#include "gafka/kafka/counters.h"
#include "gafka/kafka/messages/list_offsets.h"
#include "gafka/kafka/value.h"

namespace gafka::kafka {

using pairs = std::vector<std::pair<std::int16_t, std::int64_t>>;

TEST(kafka_counters_test, counts_requests_by_api_key_and_unknown_keys_together) {
    counters c;
    c.request(0);
    c.request(0);
    c.request(3);
    c.request(999);
    c.request(-4);
    EXPECT_EQ(c.requests(0), 2);
    EXPECT_EQ(c.requests(3), 1);
    EXPECT_EQ(c.requests(1), 0);
    EXPECT_EQ(c.unknown_api_requests(), 2);
}

TEST(kafka_counters_test, counts_every_non_zero_error_code_of_an_answer_at_any_depth) {
    counters c;
    auto body = value::make(*messages::list_offsets.response);
    auto& topic = body.add("topics").set("name", "t");
    topic.add("partitions").set("partition_index", 0).set("error_code", code(error_code::unknown_topic_or_partition));
    topic.add("partitions").set("partition_index", 1);
    topic.add("partitions").set("partition_index", 2).set("error_code", code(error_code::unknown_topic_or_partition));
    c.answered(body);
    c.error(error_code::unknown_server_error);
    EXPECT_EQ(c.errors(), (pairs{{-1, 1}, {3, 2}}));
}

}  // namespace gafka::kafka
