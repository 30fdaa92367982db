#pragma once
// A blocking byte stream from a program to one broker: plain TCP, or TLS over
// TCP when made with a client TLS context (tls::client_context), in which
// case connect() also does the handshake, sends the host name (SNI) and
// checks that the broker's certificate is for that host (RFC 2818/6125
// rules, Asio's host_name_verification) and signed by the trusted CA.
//
// It is the one place the programs' HTTP clients (http_connection,
// gafka-bench's bench_connection, a follower's replica_fetcher through
// http_connection) touch TLS. It models Beast's SyncReadStream and
// SyncWriteStream, so beast::http::read and write work on it.
//
// Deadlines: expires_at() bounds every later operation until it is moved.
// Each operation runs Asio's async call on the stream's own io_context until
// it completes or the deadline passes; then the socket is closed (the
// pattern the broker's server uses, not beast::tcp_stream's timeouts).
// After a failure or a timeout the stream is closed; connect() opens it
// again. Not thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include "gafka/tls/context.h"
#include "gafka/util/status.h"

namespace gafka::client {

// The programs' TLS setting (--tls-ca, or $GAFKA_TLS_CA): null for plain
// HTTP. cli::run() sets it once from main(), before any connection is made
// and before any thread starts; it is only read after that. Code that is
// not a program (a follower's fetcher, tests) passes its context explicitly.
void set_default_tls(tls::context_ptr ctx);
const tls::context_ptr& default_tls();

class client_stream {
public:
    explicit client_stream(tls::context_ptr tls = nullptr);
    ~client_stream();
    client_stream(const client_stream&) = delete;
    client_stream& operator=(const client_stream&) = delete;

    void expires_at(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
    void expires_after(std::chrono::steady_clock::duration d) { deadline_ = std::chrono::steady_clock::now() + d; }

    // Resolves, connects (TCP_NODELAY) and, with TLS, does the handshake.
    // Failures are status unavailable with a message that says which step
    // failed; a refused certificate is invalid_argument (a setting to fix,
    // not worth retrying) and says why ("it is not for '10.0.0.1'", "it is
    // not signed by a CA in --tls-ca: self-signed certificate").
    status connect(const std::string& host, std::uint16_t port);
    bool is_open() const;
    bool secure() const { return tls_ != nullptr; }
    // Closes the connection at once. No TLS close_notify: the HTTP answers
    // carry their lengths, so a truncation is visible without one.
    void close();

    // SyncReadStream / SyncWriteStream. A failure or timeout (error
    // asio::error::timed_out) closes the stream. The overloads without an
    // error_code are declared only because Beast's stream traits look for
    // them; they are never defined or called (no exceptions here).
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
        return read_some_impl(first_nonempty<boost::asio::mutable_buffer>(buffers), ec);
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
        gather v;
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers) && v.size() < max_gather; ++it)
            if (boost::asio::const_buffer b(*it); b.size() > 0) v.push_back(b);
        return write_some_impl(v, ec);
    }
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers);
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers);

    // The whole of `buffers`, or an error.
    boost::system::error_code write_all(std::vector<boost::asio::const_buffer> buffers);

private:
    using gather = std::vector<boost::asio::const_buffer>;
    static constexpr std::size_t max_gather = 16;  // buffers per write (writev)
    template <class Buffer, class Buffers>
    static Buffer first_nonempty(const Buffers& buffers) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it)
            if (Buffer b(*it); b.size() > 0) return b;
        return Buffer();
    }
    std::size_t read_some_impl(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);
    std::size_t write_some_impl(const gather& buffers, boost::system::error_code& ec);

    struct impl;
    std::unique_ptr<impl> impl_;
    tls::context_ptr tls_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace gafka::client
