#include "gafka/client/client_stream.h"

#include <optional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <openssl/x509_vfy.h>

namespace gafka::client {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
tls::context_ptr process_tls;
}  // namespace

void set_default_tls(tls::context_ptr ctx) { process_tls = std::move(ctx); }
const tls::context_ptr& default_tls() { return process_tls; }

struct client_stream::impl {
    asio::io_context io{1};
    tcp::socket socket{io};
    std::optional<ssl::stream<tcp::socket&>> tls;  // on `socket`, when secure
    std::string where;                             // "host:port", for messages

    // Starts an async operation with `start(handler)` and runs the
    // io_context until it completes or `deadline` passes; then closes the
    // socket (the operation ends with operation_aborted) and reports
    // timed_out.
    template <class Start>
    std::size_t run(std::chrono::steady_clock::time_point deadline, error_code& ec, Start&& start) {
        std::size_t done = 0;
        bool finished = false;
        io.restart();
        start([&](const error_code& e, std::size_t n = 0) {
            ec = e;
            done = n;
            finished = true;
        });
        if (deadline == std::chrono::steady_clock::time_point::max())
            io.run();
        else
            io.run_until(deadline);
        if (!finished) {
            error_code ignored;
            socket.close(ignored);
            io.restart();
            io.run();
            ec = asio::error::timed_out;
            done = 0;
        }
        return done;
    }

    // One read or write on the open connection: `op(stream, handler)`
    // starts it on the TLS stream when secure, else on the socket. A failed
    // one closes the connection.
    template <class Op>
    std::size_t transfer(std::chrono::steady_clock::time_point deadline, error_code& ec, Op&& op) {
        if (!socket.is_open()) {
            ec = asio::error::not_connected;
            return 0;
        }
        auto n = run(deadline, ec, [&](auto handler) {
            if (tls)
                op(*tls, handler);
            else
                op(socket, handler);
        });
        if (ec) close();
        return n;
    }

    void close() {
        error_code ignored;
        socket.close(ignored);
        tls.reset();
    }
};

client_stream::client_stream(tls::context_ptr tls) : impl_(std::make_unique<impl>()), tls_(std::move(tls)) {}

client_stream::~client_stream() = default;

bool client_stream::is_open() const { return impl_->socket.is_open(); }

void client_stream::close() { impl_->close(); }

status client_stream::connect(const std::string& host, std::uint16_t port) {
    auto& s = *impl_;
    close();
    s.where = host + ":" + std::to_string(port);
    error_code ec;
    tcp::resolver resolver(s.io);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return status::unavailable("cannot resolve " + s.where + ": " + ec.message());
    s.run(deadline_, ec, [&](auto handler) {
        asio::async_connect(s.socket, endpoints,
                            [handler](const error_code& e, const tcp::endpoint&) mutable { handler(e); });
    });
    if (ec) {
        close();
        return status::unavailable("cannot connect to " + s.where + ": " + ec.message());
    }
    s.socket.set_option(tcp::no_delay(true), ec);
    if (!tls_) return {};

    s.tls.emplace(s.socket, *tls_);
    auto* native = s.tls->native_handle();
    error_code not_ip;
    asio::ip::make_address(host, not_ip);
    // SNI carries names only, never an address (RFC 6066).
    if (not_ip) ::SSL_set_tlsext_host_name(native, host.c_str());
    // Why a certificate was refused: the chain (as OpenSSL says it), or
    // a chain that is fine but names another host.
    std::string refused;
    s.tls->set_verify_callback(
        [&refused, &host, check = ssl::host_name_verification(host)](bool preverified, ssl::verify_context& v) mutable {
            if (!preverified) {
                if (refused.empty()) {
                    int err = ::X509_STORE_CTX_get_error(v.native_handle());
                    refused = std::string("it is not signed by a CA in --tls-ca: ") +
                              ::X509_verify_cert_error_string(err);
                }
                return false;
            }
            if (check(preverified, v)) return true;
            refused = "it is not for '" + host + "'";
            return false;
        });
    s.run(deadline_, ec, [&](auto handler) {
        s.tls->async_handshake(ssl::stream_base::client, [handler](const error_code& e) mutable { handler(e); });
    });
    // The callback refers to locals: a later renegotiation must not call it.
    s.tls->set_verify_callback([](bool preverified, ssl::verify_context&) { return preverified; });
    if (!ec) return {};
    close();
    if (!refused.empty())
        return status::invalid_argument("TLS: refused the certificate of " + s.where + ": " + refused);
    if (ec == asio::error::timed_out) return status::unavailable("TLS handshake with " + s.where + " timed out");
    return status::unavailable("TLS handshake with " + s.where + " failed: " + ec.message() +
                               " (does it serve HTTPS?)");
}

std::size_t client_stream::read_some_impl(asio::mutable_buffer buffer, error_code& ec) {
    return impl_->transfer(deadline_, ec, [&](auto& stream, auto handler) { stream.async_read_some(buffer, handler); });
}

std::size_t client_stream::write_some_impl(const gather& buffers, error_code& ec) {
    return impl_->transfer(deadline_, ec,
                           [&](auto& stream, auto handler) { stream.async_write_some(buffers, handler); });
}

error_code client_stream::write_all(gather buffers) {
    std::erase_if(buffers, [](const asio::const_buffer& b) { return b.size() == 0; });
    error_code ec;
    while (!buffers.empty()) {
        auto n = write_some_impl(buffers, ec);
        if (ec) return ec;
        std::size_t written = 0;
        while (written < buffers.size() && n >= buffers[written].size()) n -= buffers[written++].size();
        buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(written));
        if (!buffers.empty()) buffers.front() += n;
    }
    return ec;
}

}  // namespace gafka::client
