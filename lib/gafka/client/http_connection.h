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
#include <vector>

#include "gafka/client/client_stream.h"
#include "gafka/util/status.h"

namespace gafka::client {

struct http_reply {
    unsigned status = 0;
    std::string body;
};

struct outgoing_request {
    std::string method;  // "GET", "POST", "DELETE"
    std::string target;
    std::string body;
    std::string content_type;
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

    // HTTP/1.1 pipelining: send() writes a request without waiting for its
    // answer; receive() reads the answer to the oldest request sent and not
    // yet received. After a transport failure the connection is closed, and
    // every request still awaiting its answer gets unavailable from
    // receive(): whether the broker got it is unknown. request() must not be
    // used while answers are outstanding.
    status send(const outgoing_request& r, std::chrono::milliseconds timeout);
    result<http_reply> receive(std::chrono::milliseconds timeout);
    std::size_t outstanding() const { return outstanding_; }

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
    std::size_t outstanding_ = 0;  // sent, answer not received
    bool broken_ = false;          // failed with answers outstanding
    std::unique_ptr<impl> impl_;
};

}  // namespace gafka::client
