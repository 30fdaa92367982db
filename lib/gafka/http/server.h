#pragma once
// The broker's HTTP/1.1 server on Boost.Beast: an acceptor coroutine and one
// coroutine per connection, each on its own strand (so a connection's
// handlers, timers and long-poll wake-ups never run concurrently). Keep-alive;
// every read has a timeout; stop() closes the acceptor, and destroying the
// io_context ends the sessions.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gafka/http/context.h"

namespace gafka::http {

struct server_limits {
    std::size_t max_body_bytes = 64u << 20;
    std::size_t max_header_bytes = 16u << 10;
    std::chrono::seconds idle_timeout{60};
};

class server {
public:
    server(boost::asio::io_context& io, server_context& ctx, server_limits limits);
    // Binds and listens; the error names the address when it is in use.
    status listen(const std::string& address, std::uint16_t port);
    void start();
    void stop();
    std::uint16_t port() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    server_context& ctx_;
    server_limits limits_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace gafka::http
