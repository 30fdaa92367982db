#include "gafka/util/tcp_listener.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <string>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using gafka::util::check_congestion_control;
using gafka::util::listen_tcp;

std::string congestion_of(int fd) {
    char name[16] = {};
    socklen_t len = sizeof name;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) != 0) return "getsockopt failed";
    return name;
}

std::string system_congestion() {
    std::ifstream in("/proc/sys/net/ipv4/tcp_congestion_control");
    std::string s;
    std::getline(in, s);
    return s;
}

// The congestion control of a connection accepted by a listener opened
// with `congestion` on 127.0.0.1, a free port.
std::string accepted_congestion(const std::string& congestion) {
    asio::io_context io;
    tcp::acceptor acceptor(io);
    auto s = listen_tcp(acceptor, "127.0.0.1", 0, "", congestion);
    if (!s.ok()) return "listen: " + s.message();
    tcp::socket client(io), server(io);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    return congestion_of(server.native_handle());
}

// reno is built into every kernel (the fallback of all others); another
// than the system's, so that the test tells a set one from the default.
TEST(TcpListener, AcceptedConnectionsInheritTheListenersCongestionControl) {
    auto other = system_congestion() == "reno" ? "cubic" : "reno";
    if (!check_congestion_control(other).ok()) GTEST_SKIP() << other << " is not offered by this kernel";
    EXPECT_EQ(accepted_congestion(other), other);
    EXPECT_EQ(accepted_congestion(""), system_congestion());
}

TEST(TcpListener, UnknownCongestionControlIsRefusedWithWhatTheKernelOffers) {
    auto s = check_congestion_control("no-such-cc");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), gafka::status_code::invalid_argument);
    EXPECT_NE(s.message().find("no-such-cc is not offered by this kernel"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("reno"), std::string::npos) << s.message();  // the list the kernel gives
    EXPECT_TRUE(check_congestion_control("reno").ok());
}

TEST(TcpListener, NamesTheKernelWouldCutAreRefused) {
    // The kernel keeps 15 characters; "reno" followed by more is not reno.
    auto s = check_congestion_control("renorenorenoreno");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("1 to 15 characters"), std::string::npos) << s.message();
    EXPECT_FALSE(check_congestion_control("").ok());
}

TEST(TcpListener, ListenErrorsNameTheAddressAndLabel) {
    asio::io_context io;
    tcp::acceptor first(io), second(io);
    ASSERT_TRUE(listen_tcp(first, "127.0.0.1", 0, " (Kafka)", "").ok());
    auto port = first.local_endpoint().port();
    auto s = listen_tcp(second, "127.0.0.1", port, " (Kafka)", "");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("bind 127.0.0.1:" + std::to_string(port) + " (Kafka)"), std::string::npos)
        << s.message();
    tcp::acceptor third(io);
    EXPECT_EQ(listen_tcp(third, "not-an-address", 0, "", "").code(), gafka::status_code::invalid_argument);
}

}  // namespace
