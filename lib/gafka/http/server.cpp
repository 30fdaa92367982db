#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

#include "gafka/util/logging.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

server::server(asio::io_context& io, server_context& ctx, server_limits limits)
    : io_(io), ctx_(ctx), limits_(limits), acceptor_(io) {}

status server::listen(const std::string& address, std::uint16_t port) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) return status::invalid_argument("invalid listen address '" + address + "'");
    tcp::endpoint ep(addr, port);
    auto where = address + ":" + std::to_string(port);
    if (acceptor_.open(ep.protocol(), ec); ec) return status::io_error("open " + where + ": " + ec.message());
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor_.bind(ep, ec); ec) return status::io_error("bind " + where + ": " + ec.message());
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec)
        return status::io_error("listen " + where + ": " + ec.message());
    return {};
}

std::uint16_t server::port() const { return acceptor_.local_endpoint().port(); }

void server::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

void server::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::awaitable<void> server::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        auto socket = co_await acceptor_.async_accept(asio::make_strand(io_), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            util::logger("http")->warn("accept failed: {}", ec.message());
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto ex = socket.get_executor();
        asio::co_spawn(ex, session(std::move(socket)), asio::detached);
    }
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

}  // namespace

asio::awaitable<void> server::session(tcp::socket socket) {
    ++ctx_.open_connections;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
        beast_http::request_parser<beast_http::string_body> parser;
        parser.body_limit(limits_.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        stream.expires_after(limits_.idle_timeout);
        co_await beast_http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == beast_http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            break;
        if (ec) {
            request stub;
            stub.version(11);
            stub.keep_alive(false);
            auto res = error_response(stub, *parse_failure(ec));
            stream.expires_after(std::chrono::seconds(10));
            co_await beast_http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        auto req = parser.release();
        stream.expires_never();  // long polls keep their own time
        auto res = co_await route(req, ctx_);
        res.keep_alive(req.keep_alive());
        stream.expires_after(std::chrono::seconds(30));
        co_await beast_http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    --ctx_.open_connections;
}

}  // namespace gafka::http
