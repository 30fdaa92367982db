// kafka::answers_written_together: which answers of a connection's queue
// the writer sends in one write.
#include <gtest/gtest.h>

#include "gafka/kafka/answer.h"

namespace gafka::kafka {
namespace {

std::shared_ptr<pending_answer> ready(std::size_t bytes) {
    auto a = std::make_shared<pending_answer>();
    a->frame.assign(bytes, 'a');
    a->ready = true;
    return a;
}

}  // namespace

TEST(kafka_answer_queue_test, takes_every_ready_answer_up_to_the_first_not_ready) {
    std::deque<std::shared_ptr<pending_answer>> q{ready(40), ready(40), ready(40), ready(40)};
    EXPECT_EQ(answers_written_together(q), 4u);
    q[2]->ready = false;
    EXPECT_EQ(answers_written_together(q), 2u);
}

TEST(kafka_answer_queue_test, stops_before_an_answer_with_record_sets) {
    std::deque<std::shared_ptr<pending_answer>> q{ready(40), ready(40), ready(100), ready(40)};
    q[2]->splices.push_back({});
    EXPECT_EQ(answers_written_together(q), 2u);
}

TEST(kafka_answer_queue_test, stops_with_the_answer_that_ends_the_connection) {
    std::deque<std::shared_ptr<pending_answer>> q{ready(40), ready(40), ready(40)};
    q[1]->close = true;
    EXPECT_EQ(answers_written_together(q), 2u);
    q[0]->close = true;
    EXPECT_EQ(answers_written_together(q), 1u);
}

TEST(kafka_answer_queue_test, counts_places_without_an_answer_acks_0) {
    std::deque<std::shared_ptr<pending_answer>> q{ready(0), ready(40), ready(0)};
    EXPECT_EQ(answers_written_together(q), 3u);
}

TEST(kafka_answer_queue_test, stays_within_the_byte_limit_but_always_takes_the_first) {
    std::deque<std::shared_ptr<pending_answer>> q{ready(60), ready(40), ready(1)};
    EXPECT_EQ(answers_written_together(q, 100), 2u);
    EXPECT_EQ(answers_written_together(q, 99), 1u);
    std::deque<std::shared_ptr<pending_answer>> big{ready(500), ready(1)};
    EXPECT_EQ(answers_written_together(big, 100), 1u);
}

}  // namespace gafka::kafka
