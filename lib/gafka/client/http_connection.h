#pragma once
// One keep-alive HTTP/1.1 connection to one broker, used synchronously by the
// programs. Every call has a deadline (connect, write and read together); a
// connection that failed or timed out is closed and reopened on the next call.
// HTTPS when given a TLS context (by default the programs' --tls-ca, see
// client_stream.h). Not thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gafka/client/client_stream.h"
#include "gafka/util/status.h"

namespace gafka::client {

struct http_reply {
    unsigned status = 0;
    std::string body;
};

class http_connection {
public:
    http_connection(std::string host, std::uint16_t port, tls::context_ptr tls = default_tls());
    ~http_connection();
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;

    // method: "GET", "POST", "DELETE". A transport failure (refused, reset,
    // timeout) comes back as status unavailable; any HTTP answer is a reply,
    // but for a TLS mismatch: a refused certificate, or a broker that
    // serves HTTPS only asked in plain HTTP, is invalid_argument.
    result<http_reply> request(const std::string& method, const std::string& target, const std::string& body,
                               const std::string& content_type, std::chrono::milliseconds timeout);

    // The bearer token sent with every request; client::auth_token() by
    // default (a follower broker sets its own).
    void set_auth_token(std::string token) { auth_token_ = std::move(token); }

    const std::string& host() const { return host_; }
    std::uint16_t port() const { return port_; }

private:
    struct impl;
    std::string host_;
    std::uint16_t port_;
    std::string auth_token_;
    std::unique_ptr<impl> impl_;
};

}  // namespace gafka::client
