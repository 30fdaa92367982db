#pragma once
// The broker's Kafka listener: an acceptor coroutine and one coroutine per
// connection, with the thread model of http/server.h (one io_context per io
// thread, each run by one thread; a connection lives on one of them, so its
// handlers never run concurrently and need no strand).
//
// A connection reads size-prefixed frames (a frame over the limit is
// refused from its prefix, before its bytes are read), decodes each
// (kafka/frame.h), starts its handler (kafka/dispatch.h) and goes on
// reading: Kafka clients pipeline, and the answers go out in request order.
// An unknown API or version, a malformed frame, or any API but ApiVersions
// and SASL before a client authenticated (when the broker has tokens) is
// logged once and the connection closed; an ApiVersions version gafka does
// not serve is answered as v0 with error 35 so the client falls back.
//
// Every wait has a timeout: idle with no request begun, and once a frame's
// first byte came, the whole frame within the header timeout. Over the
// connection cap (shared with the HTTP listener) a new connection is closed
// at once (Kafka has no way to say why). stop() closes the acceptor; stopping the io_contexts ends the
// sessions.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gafka/kafka/context.h"
#include "gafka/kafka/frame.h"
#include "gafka/kafka/frame_reader.h"
#include "gafka/tls/context.h"
#include "gafka/util/connection_limit.h"
#include "gafka/util/status.h"

namespace gafka::util {
class socket_deadline;
}

namespace gafka::kafka {

struct connection_pipeline;
struct pending_answer;

// gafka-broker's --max-body-bytes, --idle-timeout, --header-timeout and
// --max-connections, as they apply to this listener.
struct server_limits {
    std::size_t max_frame_bytes = 64u << 20;
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds header_timeout{30'000};
    std::int64_t max_connections = 4096;
    // The count it applies to, shared with the HTTP listener
    // (util/connection_limit.h); null: this server's own, of max_connections.
    std::shared_ptr<util::connection_limit> connections;
    // The congestion control of its connections (util/tcp_listener.h;
    // --tcp-congestion); empty: the system's.
    std::string tcp_congestion;
};

class server {
public:
    // ios[0] runs the acceptor; connections are spread over all of them.
    server(std::vector<boost::asio::io_context*> ios, broker_context& ctx, server_limits limits);
    // Binds and listens; the error names the address when it is in use.
    status listen(const std::string& address, std::uint16_t port);
    void start();
    void stop();
    std::uint16_t port() const;
    // Serve Kafka over TLS only, with this context. Before start().
    void use_tls(tls::context_ptr tls) { tls_ = std::move(tls); }

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& stream, util::socket_deadline& deadline, std::string peer);
    template <class Stream>
    boost::asio::awaitable<void> write_answers(Stream& stream, util::socket_deadline& reader_deadline,
                                               std::shared_ptr<connection_pipeline> p);
    // Runs one request's handler and puts its encoded answer in its place.
    boost::asio::awaitable<void> answer(std::shared_ptr<frame_bytes> frame, request req,
                                        std::shared_ptr<connection_pipeline> p, std::shared_ptr<pending_answer> place);

    std::vector<boost::asio::io_context*> ios_;
    std::size_t next_io_ = 0;
    broker_context& ctx_;
    server_limits limits_;
    boost::asio::ip::tcp::acceptor acceptor_;
    tls::context_ptr tls_;  // null: plain TCP
};

}  // namespace gafka::kafka
