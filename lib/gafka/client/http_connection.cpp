#include "gafka/client/http_connection.h"

#include "gafka/client/auth_token.h"

#include <utility>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace gafka::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;

namespace {

bh::request<bh::string_body> make_request(const outgoing_request& r, const std::string& host, const std::string& token) {
    bh::request<bh::string_body> req{bh::string_to_verb(r.method), r.target, 11};
    req.set(bh::field::host, host);
    req.set(bh::field::user_agent, "gafka");
    if (!r.content_type.empty()) req.set(bh::field::content_type, r.content_type);
    if (!token.empty()) req.set(bh::field::authorization, "Bearer " + token);
    req.keep_alive(true);
    req.body() = r.body;
    req.prepare_payload();
    return req;
}

// The reply, closing `stream` when the broker closes the connection.
result<http_reply> reply_of(bh::response<bh::string_body> res, client_stream& stream, const std::string& where) {
    if (!res.keep_alive()) stream.close();
    // The broker's answer to plain HTTP when it serves HTTPS only.
    if (res.result_int() == 400 && !stream.secure() && res.body().find("\"tls_required\"") != std::string::npos)
        return status::invalid_argument(where + " serves HTTPS only: give --tls-ca FILE (or set GAFKA_TLS_CA), "
                                        "the CA that signed its certificate");
    return http_reply{res.result_int(), std::move(res.body())};
}

}  // namespace

struct http_connection::impl {
    // Beast reads at most the buffer's free room a call (512 bytes at
    // least): room for 64 KiB, so a 10 MiB fetch answer is 160 reads, not
    // 20,000.
    explicit impl(tls::context_ptr tls) : stream(std::move(tls)) { buffer.reserve(64 << 10); }
    client_stream stream;
    beast::flat_buffer buffer;
};

http_connection::http_connection(std::string host, std::uint16_t port, tls::context_ptr tls)
    : host_(std::move(host)), port_(port), auth_token_(auth_token()), impl_(std::make_unique<impl>(std::move(tls))) {}

http_connection::~http_connection() = default;

result<http_reply> http_connection::request(const std::string& method, const std::string& target,
                                            const std::string& body, const std::string& content_type,
                                            std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    auto where = host_ + ":" + std::to_string(port_);
    if (outstanding_ > 0)
        return status(status_code::out_of_range, "a request to " + where + " while pipelined answers are due");
    auto req = make_request({method, target, body, content_type}, host_, auth_token_);

    // Up to two tries: a kept-alive connection the broker already closed
    // fails on first use, which is no reason to report an error.
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = s.stream.is_open();
        boost::system::error_code ec;
        bh::response_parser<bh::string_body> parser;
        parser.body_limit(256u << 20);
        s.stream.expires_after(timeout);
        if (!reused) {
            s.buffer.clear();
            if (auto connected = s.stream.connect(host_, port_); !connected.ok()) return connected;
        }
        bh::write(s.stream, req, ec);
        if (!ec) bh::read(s.stream, s.buffer, parser, ec);
        if (ec) {
            s.stream.close();
            if (reused && ec != asio::error::timed_out) continue;
            return status(status_code::unavailable, (ec == asio::error::timed_out ? "timed out talking to "
                                                                                  : "lost connection to ") +
                                                        where + ": " + ec.message());
        }
        return reply_of(parser.release(), s.stream, where);
    }
    return status(status_code::unavailable, "lost connection to " + where);
}

status http_connection::send(const outgoing_request& r, std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    auto where = host_ + ":" + std::to_string(port_);
    ++outstanding_;
    if (outstanding_ > 1 && !s.stream.is_open()) broken_ = true;  // the answers due went with the connection
    if (broken_) return status(status_code::unavailable, "lost connection to " + where);
    s.stream.expires_after(timeout);
    if (!s.stream.is_open()) {
        s.buffer.clear();
        if (auto connected = s.stream.connect(host_, port_); !connected.ok()) {
            broken_ = true;
            return connected;
        }
    }
    boost::system::error_code ec;
    auto req = make_request(r, host_, auth_token_);
    bh::write(s.stream, req, ec);
    if (!ec) return {};
    s.stream.close();
    broken_ = true;
    return status(status_code::unavailable, "lost connection to " + where + ": " + ec.message());
}

result<http_reply> http_connection::receive(std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    auto where = host_ + ":" + std::to_string(port_);
    if (outstanding_ == 0) return status(status_code::out_of_range, "no request awaits an answer from " + where);
    --outstanding_;
    auto broken = [&](std::string why) -> result<http_reply> {
        s.stream.close();
        broken_ = outstanding_ > 0;
        return status(status_code::unavailable, why);
    };
    if (broken_ || !s.stream.is_open()) return broken("lost connection to " + where);
    boost::system::error_code ec;
    bh::response_parser<bh::string_body> parser;
    parser.body_limit(256u << 20);
    s.stream.expires_after(timeout);
    bh::read(s.stream, s.buffer, parser, ec);
    if (ec)
        return broken((ec == asio::error::timed_out ? "timed out talking to " : "lost connection to ") + where + ": " +
                      ec.message());
    auto reply = reply_of(parser.release(), s.stream, where);
    if (!s.stream.is_open()) broken_ = outstanding_ > 0;  // the broker closed it after this answer
    return reply;
}

}  // namespace gafka::client
