#include "gafka/server/controller_forward.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace gafka::server {
namespace {

cluster::cluster_view view_with(std::int32_t controller, bool live) {
    cluster::cluster_view v;
    v.controller_id = controller;
    v.brokers.push_back({1, "10.0.0.1", 9001, "10.0.0.1", 9092, true});
    v.brokers.push_back({2, "10.0.0.2", 9101, "", 0, live});
    return v;
}

TEST(controller_forward_test, goes_to_the_live_controllers_advertised_http_address) {
    auto at = controller_address(view_with(2, true));
    ASSERT_TRUE(at.ok()) << at.error().message();
    EXPECT_EQ(at->host, "10.0.0.2");
    EXPECT_EQ(at->port, 9101);
}

TEST(controller_forward_test, no_controller_or_a_gone_one_is_unavailable) {
    auto none = controller_address(view_with(-1, true));
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code(), status_code::unavailable);
    auto gone = controller_address(view_with(2, false));
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().code(), status_code::unavailable);
    EXPECT_NE(gone.error().message().find("broker 2"), std::string::npos) << gone.error().message();
    auto unknown = controller_address(view_with(7, true));
    EXPECT_EQ(unknown.error().code(), status_code::unavailable);
}

TEST(controller_forward_test, body_names_the_topic_and_its_partitions_only) {
    rapidjson::Document d;
    auto body = forward_body("orders \"eu\"", 6);
    d.Parse(body.c_str());
    ASSERT_FALSE(d.HasParseError()) << body;
    EXPECT_EQ(d.MemberCount(), 2u);
    EXPECT_STREQ(d["name"].GetString(), "orders \"eu\"");
    EXPECT_EQ(d["partitions"].GetInt(), 6);
}

TEST(controller_forward_test, created_or_already_recorded_is_success) {
    EXPECT_TRUE(forward_outcome({201, R"({"name":"t","partitions":1})"}).ok());
    EXPECT_TRUE(forward_outcome({409, R"({"error":{"code":"topic_exists","message":"topic 't' exists"}})"}).ok());
}

TEST(controller_forward_test, every_other_answer_is_an_error_carrying_the_controllers_words) {
    auto deposed = forward_outcome({421, R"({"error":{"code":"not_controller","message":"broker 2 is not"}})"});
    EXPECT_EQ(deposed.code(), status_code::not_leader);
    EXPECT_NE(deposed.message().find("421 not_controller: broker 2 is not"), std::string::npos) << deposed.message();
    EXPECT_EQ(forward_outcome({400, R"({"error":{"code":"invalid_topic","message":"bad"}})"}).code(),
              status_code::invalid_argument);
    EXPECT_EQ(forward_outcome({409, R"({"error":{"code":"conflict","message":"x"}})"}).code(), status_code::unavailable);
    EXPECT_EQ(forward_outcome({401, R"({"error":{"code":"unauthorized","message":"token"}})"}).code(),
              status_code::unavailable);
    auto late = forward_outcome({503, "not json"});
    EXPECT_EQ(late.code(), status_code::unavailable);
    EXPECT_EQ(late.message(), "the controller answered 503");
}

// A loopback port nothing listens on: bound, then closed.
std::uint16_t closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

TEST(controller_forward_test, a_controller_nobody_listens_for_is_unavailable) {
    const auto port = closed_port();
    auto s = forward_create_topic({"127.0.0.1", port}, "t", 1, {"", nullptr, std::chrono::milliseconds(500)});
    EXPECT_EQ(s.code(), status_code::unavailable);
    EXPECT_NE(s.message().find("cannot reach the controller at 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << s.message();
}

}  // namespace
}  // namespace gafka::server
