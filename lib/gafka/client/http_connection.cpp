#include "gafka/client/http_connection.h"

#include "gafka/client/auth_token.h"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gafka::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;
using tcp = asio::ip::tcp;

struct http_connection::impl {
    asio::io_context io;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
};

http_connection::http_connection(std::string host, std::uint16_t port)
    : host_(std::move(host)), port_(port), auth_token_(auth_token()), impl_(std::make_unique<impl>()) {}

http_connection::~http_connection() = default;

result<http_reply> http_connection::request(const std::string& method, const std::string& target,
                                            const std::string& body, const std::string& content_type,
                                            std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    auto where = host_ + ":" + std::to_string(port_);
    bh::request<bh::string_body> req{bh::string_to_verb(method), target, 11};
    req.set(bh::field::host, host_);
    req.set(bh::field::user_agent, "gafka");
    if (!content_type.empty()) req.set(bh::field::content_type, content_type);
    if (!auth_token_.empty()) req.set(bh::field::authorization, "Bearer " + auth_token_);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();

    // Up to two tries: a kept-alive connection the broker already closed
    // fails on first use, which is no reason to report an error.
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = s.stream.has_value();
        boost::system::error_code ec;
        bh::response_parser<bh::string_body> parser;
        parser.body_limit(256u << 20);
        s.io.restart();
        if (!s.stream) {
            s.stream.emplace(s.io);
            s.buffer.clear();
            tcp::resolver resolver(s.io);
            auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
            if (ec) {
                s.stream.reset();
                return status(status_code::unavailable, "cannot resolve " + where + ": " + ec.message());
            }
            s.stream->expires_after(timeout);
            s.stream->async_connect(endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) { ec = e; });
            s.io.run();
            if (ec) {
                s.stream.reset();
                return status(status_code::unavailable, "cannot connect to " + where + ": " + ec.message());
            }
            s.stream->socket().set_option(tcp::no_delay(true));
            s.io.restart();
        }
        s.stream->expires_after(timeout);
        bh::async_write(*s.stream, req, [&](const boost::system::error_code& e, std::size_t) {
            ec = e;
            if (!e) bh::async_read(*s.stream, s.buffer, parser, [&](const boost::system::error_code& e2, std::size_t) { ec = e2; });
        });
        s.io.run();
        if (ec) {
            s.stream.reset();
            if (reused && ec != beast::error::timeout) continue;
            return status(status_code::unavailable, (ec == beast::error::timeout ? "timed out talking to "
                                                                                   : "lost connection to ") +
                                                        where + ": " + ec.message());
        }
        auto res = parser.release();
        if (!res.keep_alive()) s.stream.reset();
        return http_reply{res.result_int(), std::move(res.body())};
    }
    return status(status_code::unavailable, "lost connection to " + where);
}

}  // namespace gafka::client
