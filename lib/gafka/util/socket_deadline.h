#pragma once
// The timeout of a connection's reads, writes and TLS handshake: a timer
// that closes the socket when it fires, so whatever waits on the socket (or
// on a TLS stream over it) ends with an error. Used instead of
// beast::basic_stream's timeouts (see http/server.h); the Kafka listener
// uses it too. Lives on the connection's
// one thread, like the socket.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gafka::util {

class socket_deadline {
public:
    explicit socket_deadline(boost::asio::ip::tcp::socket& socket) : socket_(socket), timer_(socket.get_executor()) {}

    // Closes the socket `d` from now unless cancel() or arm() comes first.
    void arm(std::chrono::steady_clock::duration d) {
        timer_.expires_after(d);
        timer_.async_wait([&socket = socket_](const boost::system::error_code& e) {
            boost::system::error_code ignored;
            if (!e) socket.close(ignored);
        });
    }
    void cancel() { timer_.cancel(); }
    bool socket_open() const { return socket_.is_open(); }

private:
    boost::asio::ip::tcp::socket& socket_;
    boost::asio::steady_timer timer_;
};

}  // namespace gafka::util
