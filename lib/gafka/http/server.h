#pragma once
// The broker's HTTP/1.1 server on Boost.Beast: an acceptor coroutine and one
// coroutine per connection. Thread model: one io_context per io thread, each
// run by exactly one thread; a connection lives on one of them (assigned
// round-robin), so its handlers, timers and long-poll wake-ups never run
// concurrently, with no strands. (Strands as coroutine executors also trip a
// double release in Boost 1.74's co_spawn under g++ 12.) Keep-alive; every
// read has a timeout; stop() closes the acceptor, and stopping and
// destroying the io_contexts ends the sessions.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gafka/http/context.h"
#include "gafka/tls/context.h"
#include "gafka/util/connection_limit.h"

namespace gafka::util {
class socket_deadline;
}

namespace gafka::http {

using util::socket_deadline;
struct pipeline;
struct pipelined_answer;

// What one client may hold (gafka-broker --max-connections, --idle-timeout,
// --header-timeout, --max-body-bytes, --max-header-bytes).
struct server_limits {
    std::size_t max_body_bytes = 64u << 20;
    std::size_t max_header_bytes = 16u << 10;
    // A kept-alive connection with no request started is closed after this.
    std::chrono::milliseconds idle_timeout{60'000};
    // Once a request's first byte came, its headers and body must all arrive
    // within this, or the connection is closed (a slow-loris client is cut).
    std::chrono::milliseconds header_timeout{30'000};
    // Connections over this are answered 503 too_many_connections and closed.
    std::int64_t max_connections = 4096;
    // The count it applies to, shared with the broker's other listeners
    // (util/connection_limit.h); null: this server's own, of max_connections.
    std::shared_ptr<util::connection_limit> connections;
    // The congestion control of its connections (util/tcp_listener.h;
    // --tcp-congestion); empty: the system's.
    std::string tcp_congestion;
};

class server {
public:
    // ios[0] runs the acceptor; connections are spread over all of them.
    server(std::vector<boost::asio::io_context*> ios, server_context& ctx, server_limits limits);
    // Binds and listens; the error names the address when it is in use.
    status listen(const std::string& address, std::uint16_t port);
    void start();
    void stop();
    std::uint16_t port() const;
    // Serve HTTPS only, with this context (tls::server_context). Before
    // start(). A client that speaks plain HTTP to it is answered 400
    // tls_required in plain HTTP and the connection closed.
    void use_tls(tls::context_ptr tls) { tls_ = std::move(tls); }

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
    // The request loop of one connection, over the socket itself or a TLS
    // stream on it; `deadline` closes the socket. Pipelined (pipeline.h):
    // this coroutine reads requests and starts their handlers, another one
    // writes the answers in order.
    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& stream, socket_deadline& deadline);
    template <class Stream>
    boost::asio::awaitable<void> write_answers(Stream& stream, socket_deadline& reader_deadline,
                                               std::shared_ptr<pipeline> p);
    // Runs one request's handler and puts its answer in its place.
    boost::asio::awaitable<void> answer(request req, std::shared_ptr<pipeline> p,
                                        std::shared_ptr<pipelined_answer> place);
    // With TLS on: waits for the client's first byte; true when it starts a
    // TLS handshake, false (after answering 400 tls_required) when not.
    boost::asio::awaitable<bool> starts_tls(boost::asio::ip::tcp::socket& socket, socket_deadline& deadline);
    // Answers a connection over max_connections with 503 and closes it.
    boost::asio::awaitable<void> refuse(boost::asio::ip::tcp::socket socket);

    std::vector<boost::asio::io_context*> ios_;
    std::size_t next_io_ = 0;
    server_context& ctx_;
    server_limits limits_;
    boost::asio::ip::tcp::acceptor acceptor_;
    tls::context_ptr tls_;  // null: plain HTTP
};

}  // namespace gafka::http
