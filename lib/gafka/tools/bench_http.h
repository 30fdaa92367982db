#pragma once
// gafka-bench's own keep-alive HTTP/1.1 client for the load itself: one
// blocking socket, request and response buffers reused from one request to
// the next, no io_context, timer or parser allocation per request. Measured
// against client::http_connection (Beast) on a 1 GiB catch-up, the library
// client spent as much CPU reading 4 MiB answers as the broker spent writing
// them; this one keeps the client's share small, so the figure is the
// broker's. With TLS (--tls-ca) the bytes go through a client::client_stream
// instead of the socket; the parsing and buffers are the same. Not
// thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/client/broker_client.h"
#include "gafka/client/client_stream.h"
#include "gafka/util/status.h"

namespace gafka::tools {

struct bench_reply {
    unsigned status = 0;
    std::string_view body;  // into the connection's buffer: valid until its next request
};

class bench_connection {
public:
    bench_connection(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
                     tls::context_ptr tls = client::default_tls());
    ~bench_connection();
    bench_connection(const bench_connection&) = delete;
    bench_connection& operator=(const bench_connection&) = delete;

    // A transport failure is status unavailable; a kept-alive connection
    // the broker closed is reopened once. Answers must carry Content-Length.
    result<bench_reply> request(std::string_view method, std::string_view target, std::string_view body = {},
                                std::string_view content_type = {});

private:
    status open();
    void close();
    status send(std::string_view method, std::string_view target, std::string_view body,
                std::string_view content_type);
    result<bench_reply> receive();
    // Some bytes into buf_ at used_: how many, 0 at the end of the stream, or -1 with errno set.
    long read_some();

    std::string host_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    int fd_ = -1;                                  // plain HTTP
    std::unique_ptr<client::client_stream> tls_;  // HTTPS, when made with a TLS context
    std::string head_;       // request line and headers
    std::vector<char> buf_;  // response bytes; [0, used_) read so far
    std::size_t used_ = 0;
};

// One worker's connections to the leaders of the partitions it uses, found
// through `metadata` (refreshed on a 421 "not the leader", then retried once).
class leader_links {
public:
    leader_links(client::broker_client& metadata, std::chrono::milliseconds timeout)
        : metadata_(metadata), timeout_(timeout) {}
    result<bench_reply> call(const std::string& topic, std::int32_t partition, std::string_view method,
                             std::string_view target, std::string_view body = {},
                             std::string_view content_type = {});

private:
    bench_connection& leader(const std::string& topic, std::int32_t partition);

    client::broker_client& metadata_;
    std::chrono::milliseconds timeout_;
    std::map<std::pair<std::string, std::uint16_t>, std::unique_ptr<bench_connection>> links_;
};

}  // namespace gafka::tools
