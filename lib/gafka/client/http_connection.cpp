#include "gafka/client/http_connection.h"

#include "gafka/client/auth_token.h"

#include <utility>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace gafka::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;

struct http_connection::impl {
    explicit impl(tls::context_ptr tls) : stream(std::move(tls)) {}
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
        auto res = parser.release();
        if (!res.keep_alive()) s.stream.close();
        // The broker's answer to plain HTTP when it serves HTTPS only.
        if (res.result_int() == 400 && !s.stream.secure() && res.body().find("\"tls_required\"") != std::string::npos)
            return status::invalid_argument(where + " serves HTTPS only: give --tls-ca FILE (or set GAFKA_TLS_CA), "
                                                    "the CA that signed its certificate");
        return http_reply{res.result_int(), std::move(res.body())};
    }
    return status(status_code::unavailable, "lost connection to " + where);
}

}  // namespace gafka::client
