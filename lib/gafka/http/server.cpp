#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/http/server.h"

#include <array>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

#include "gafka/http/pipeline.h"
#include "gafka/util/logging.h"
#include "gafka/util/socket_deadline.h"
#include "gafka/util/tcp_listener.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

server::server(std::vector<asio::io_context*> ios, server_context& ctx, server_limits limits)
    : ios_(std::move(ios)), ctx_(ctx), limits_(std::move(limits)), acceptor_(*ios_.at(0)) {
    if (!limits_.connections) limits_.connections = std::make_shared<util::connection_limit>(limits_.max_connections);
}

status server::listen(const std::string& address, std::uint16_t port) {
    return util::listen_tcp(acceptor_, address, port, "", limits_.tcp_congestion);
}

std::uint16_t server::port() const { return acceptor_.local_endpoint().port(); }

void server::start() { asio::co_spawn(*ios_[0], accept_loop(), asio::detached); }

void server::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::awaitable<void> server::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        auto& io = *ios_[next_io_++ % ios_.size()];
        tcp::socket socket(io);
        co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            util::logger("http")->warn("accept failed: {}", ec.message());
            if (ec == asio::error::no_descriptors) {  // EMFILE/ENFILE: retrying at once would spin
                asio::steady_timer pause(*ios_[0], std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        // Counted here, against the limit shared with the Kafka listener;
        // session() gives the place back.
        if (!limits_.connections->try_acquire()) {
            ++ctx_.refused_connections;
            asio::co_spawn(io, refuse(std::move(socket)), asio::detached);
            continue;
        }
        ++ctx_.open_connections;
        asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> server::refuse(tcp::socket socket) {
    // Answered rather than just closed, so curl and the programs say why. The
    // request (if any) is read and dropped until the client closes or 1 s
    // passes: closing with unread bytes would send a reset that can destroy
    // the answer before the client reads it.
    asio::steady_timer deadline(socket.get_executor(), std::chrono::seconds(1));
    deadline.async_wait([&socket](const boost::system::error_code& e) {
        boost::system::error_code ignored;
        if (!e) socket.close(ignored);
    });
    request stub;
    stub.version(11);
    stub.keep_alive(false);
    auto res = error_response(stub, {beast_http::status::service_unavailable, "too_many_connections",
                                     "the broker has " + std::to_string(limits_.max_connections) +
                                         " connections open (--max-connections); try again later",
                                     {}});
    boost::system::error_code ec;
    co_await beast_http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> drain;
    while (!ec && socket.is_open())
        co_await socket.async_read_some(asio::buffer(drain), asio::redirect_error(asio::use_awaitable, ec));
    deadline.cancel();
}

namespace {

// A request the parser refused, answered before the connection closes.
std::optional<api_error> parse_failure(const boost::system::error_code& ec) {
    namespace bh = beast::http;
    if (ec == bh::error::body_limit)
        return api_error::too_large("body_too_large", "the request body is over the broker's limit");
    if (ec == bh::error::header_limit)
        return api_error{bh::status::request_header_fields_too_large, "headers_too_large",
                         "the request headers are over the broker's limit", {}};
    return api_error::bad_request("malformed HTTP request: " + ec.message());
}

// The first byte of every TLS connection: a handshake record.
constexpr unsigned char tls_handshake_record = 0x16;

// The most of a request body one read takes (Beast's own cap on a read).
constexpr std::uint64_t body_read_room = 64 << 10;

}  // namespace

asio::awaitable<void> server::session(tcp::socket socket) {
    // open_connections was counted by accept_loop.
    // Timeouts are a timer that closes the socket (on this connection's one
    // thread), rather than beast::basic_stream's; with TLS the handshake and
    // the close run under it too.
    socket_deadline deadline(socket);
    if (!tls_) {
        co_await serve(socket, deadline);
    } else if (co_await starts_tls(socket, deadline)) {
        ssl::stream<tcp::socket&> stream(socket, *tls_);
        boost::system::error_code ec;
        deadline.arm(limits_.header_timeout);
        co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
        deadline.cancel();
        if (ec) {
            util::logger("http")->debug("TLS handshake failed: {}", ec.message());
        } else {
            co_await serve(stream, deadline);
            if (socket.is_open()) {  // close_notify, unless the client is gone
                deadline.arm(std::chrono::seconds(2));
                co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
                deadline.cancel();
            }
        }
    }
    boost::system::error_code ec;
    if (socket.is_open()) socket.shutdown(tcp::socket::shutdown_send, ec);
    --ctx_.open_connections;
    limits_.connections->release();
}

asio::awaitable<bool> server::starts_tls(tcp::socket& socket, socket_deadline& deadline) {
    unsigned char first = 0;
    boost::system::error_code ec;
    deadline.arm(limits_.idle_timeout);
    co_await socket.async_receive(asio::buffer(&first, 1), tcp::socket::message_peek,
                                  asio::redirect_error(asio::use_awaitable, ec));
    deadline.cancel();
    if (ec) co_return false;
    if (first == tls_handshake_record) co_return true;
    // Plain HTTP, most likely: say what is wrong in a language it reads.
    // The request is read and dropped until the client closes or 1 s
    // passes (closing with unread bytes could reset the answer away).
    request stub;
    stub.version(11);
    stub.keep_alive(false);
    auto res = error_response(stub, {beast_http::status::bad_request, "tls_required",
                                     "this broker serves HTTPS only: use https:// (the gafka programs: --tls-ca FILE)",
                                     {}});
    deadline.arm(std::chrono::seconds(1));
    co_await beast_http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> drain;
    while (!ec && socket.is_open())
        co_await socket.async_read_some(asio::buffer(drain), asio::redirect_error(asio::use_awaitable, ec));
    deadline.cancel();
    co_return false;
}

template <class Stream>
asio::awaitable<void> server::serve(Stream& stream, socket_deadline& deadline) {
    auto& socket = beast::get_lowest_layer(stream);
    auto arm = [&](std::chrono::steady_clock::duration d) { deadline.arm(d); };
    auto p = std::make_shared<pipeline>(socket.get_executor());
    // The writer ends before this coroutine returns (the stream is ours).
    asio::co_spawn(socket.get_executor(), write_answers(stream, deadline, p), [p](std::exception_ptr) {
        p->writer_done = true;
        p->reader_wake.notify();
    });
    // A request the reader answers itself (the parser refused it), last.
    auto answer_last = [&](response res) {
        auto place = std::make_shared<pipelined_answer>();
        place->res = std::move(res);
        place->ready = true;
        p->answers.push_back(std::move(place));
    };
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
        while (p->full(limits_.max_body_bytes) && !p->writer_done) co_await p->reader_wake.wait();
        if (p->writer_done) break;
        beast_http::request_parser<beast_http::string_body> parser;
        parser.body_limit(limits_.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        // Idle until a request's first byte (unless one is buffered already),
        // then the whole request must come within the header timeout. Not
        // idle while answers are due: the writer arms the idle timeout when
        // it has written the last one.
        if (p->answers.empty()) arm(limits_.idle_timeout);
        // A plain socket is waited on without reading; a TLS stream may hold
        // decrypted bytes a wait on the socket would not see, so it is read.
        // (Inline, not a helper coroutine: no frame per request.)
        if (buffer.size() == 0) {
            p->reader_idle = true;
            if constexpr (std::is_same_v<Stream, tcp::socket>) {
                co_await stream.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
            } else {
                auto n = co_await stream.async_read_some(buffer.prepare(4096),
                                                         asio::redirect_error(asio::use_awaitable, ec));
                buffer.commit(n);
            }
            p->reader_idle = false;
        }
        if (ec || !socket.is_open() || p->writer_done) {
            deadline.cancel();
            break;
        }
        arm(limits_.header_timeout);
        co_await beast_http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (!ec && beast::iequals(parser.get()[beast_http::field::expect], "100-continue")) {
            // curl asks before sending a body over 1 MiB; answer at once rather
            // than make it wait (after the answers due: one writer at a time).
            while (!p->answers.empty() && !p->writer_done) co_await p->reader_wake.wait();
            beast_http::response<beast_http::empty_body> go_on{beast_http::status::continue_, 11};
            if (!p->writer_done)
                co_await beast_http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !parser.is_done()) {
            // Beast reads at most the buffer's free room a call (512 bytes at
            // least): a 500 KiB batch took a thousand recv calls, a quarter of
            // a produce's CPU. Room for 64 KiB of a large body, which the
            // connection keeps for its next requests.
            if (auto n = parser.content_length(); n && *n > buffer.capacity() - buffer.size())
                buffer.reserve(buffer.size() + static_cast<std::size_t>(std::min<std::uint64_t>(*n, body_read_room)));
            co_await beast_http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        deadline.cancel();
        if (ec == beast_http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
            ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
            ec == ssl::error::stream_truncated || !socket.is_open() || p->writer_done)
            break;
        if (ec) {
            request stub;
            stub.version(11);
            stub.keep_alive(false);
            answer_last(error_response(stub, *parse_failure(ec)));
            break;
        }
        auto req = parser.release();
        bool keep_alive = req.keep_alive();
        auto place = std::make_shared<pipelined_answer>();
        place->request_bytes = req.body().size();
        p->queued_bytes += place->request_bytes;
        p->answers.push_back(place);
        // Handlers start in the order their requests came (co_spawn posts to
        // this connection's one thread, first in, first out) and a produce
        // appends before it first waits: pipelined batches are appended in
        // order, and one fsync can cover several of them.
        asio::co_spawn(socket.get_executor(), answer(std::move(req), p, std::move(place)), asio::detached);
        if (!keep_alive) break;
    }
    p->reading_done = true;
    p->writer_wake.notify();
    while (!p->writer_done) co_await p->reader_wake.wait();
}

asio::awaitable<void> server::answer(request req, std::shared_ptr<pipeline> p, std::shared_ptr<pipelined_answer> place) {
    response res;
    try {
        res = co_await route(req, ctx_);  // long polls keep their own time
    } catch (const std::exception& e) {  // a bug, not the client's fault: the connection ends after it
        util::logger("http")->error("{} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
        res = error_response(req, {beast_http::status::internal_server_error, "internal_error", e.what(), {}});
        req.keep_alive(false);
    }
    res.keep_alive(req.keep_alive());
    if (req.method() == beast_http::verb::head) {  // the headers of the GET, and no body
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    place->res = std::move(res);
    place->ready = true;
    p->writer_wake.notify();
}

template <class Stream>
asio::awaitable<void> server::write_answers(Stream& stream, socket_deadline& reader_deadline,
                                            std::shared_ptr<pipeline> p) {
    auto& socket = beast::get_lowest_layer(stream);
    socket_deadline deadline(socket);
    boost::system::error_code ec;
    for (;;) {
        while (p->answers.empty() || !p->answers.front()->ready) {
            if (p->answers.empty() && p->reading_done) co_return;
            co_await p->writer_wake.wait();
        }
        auto next = std::move(p->answers.front());
        deadline.arm(std::chrono::seconds(30));
        co_await beast_http::async_write(stream, next->res, asio::redirect_error(asio::use_awaitable, ec));
        deadline.cancel();
        p->answers.pop_front();
        p->queued_bytes -= next->request_bytes;
        p->reader_wake.notify();
        if (ec || !next->res.keep_alive()) {
            // The reader may wait for bytes that will never be read: end it.
            if (ec || !p->reading_done) socket.close(ec);
            co_return;
        }
        if (p->answers.empty() && p->reader_idle) reader_deadline.arm(limits_.idle_timeout);
    }
}

}  // namespace gafka::http
