#pragma once
// A client of etcd's v3 JSON gateway (etcd 3.4): every call is an HTTP/1.1
// POST of a JSON body (etcd_codec.h) over Boost.Beast, as coroutines on the
// executor given, so one thread can keep a lease alive while a watch stream
// stays open (the programs' blocking http_connection cannot wait on both).
//
// Every call has a deadline (connect, write and read together; the client's
// default unless given). Endpoints: a call starts at the endpoint that last
// answered and moves on to the next when it cannot connect; a call that
// connected and then failed or timed out is not retried (a txn may have been
// applied), but the next call starts at the next endpoint. A fresh
// connection per call: the calls are a few a second at most.
//
// Arguments of these coroutines are taken by reference and must outlive the
// co_await (g++ 12 destroys temporaries in a co_await expression twice:
// callers pass named values).
//
// Thread affinity: every call runs on the client's executor (one thread);
// the client and each watch stream belong to that thread.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "gafka/cluster/etcd_codec.h"
#include "gafka/util/host_port.h"
#include "gafka/util/status.h"

namespace gafka::cluster {

// "etcd://HOST:PORT[,HOST:PORT...]" (--cluster): the endpoints, or
// invalid_argument naming what is wrong.
result<std::vector<util::host_port>> parse_cluster_url(std::string_view url);

// One open watch stream (POST /v3/watch): newline-delimited JSON answers.
class etcd_watch {
public:
    struct impl;
    explicit etcd_watch(std::unique_ptr<impl> i);
    ~etcd_watch();
    // The next answer of the stream, waiting as long as it takes (the
    // stream has no deadline: an idle watch is normal). A closed or broken
    // stream, or a gateway error ("no leader"), is unavailable.
    boost::asio::awaitable<result<watch_response>> next();
    // Ends the stream; a next() waiting returns unavailable. Same thread only.
    void close();

private:
    std::unique_ptr<impl> impl_;
};

class etcd_client {
public:
    using duration = std::chrono::milliseconds;
    etcd_client(boost::asio::any_io_executor ex, std::vector<util::host_port> endpoints, duration timeout);

    boost::asio::awaitable<result<range_response>> range(const range_request& r);
    boost::asio::awaitable<result<revision_t>> put(const put_request& r);
    boost::asio::awaitable<result<revision_t>> remove(const range_request& r);
    boost::asio::awaitable<result<txn_response>> txn(const txn_request& r);
    boost::asio::awaitable<result<lease_grant_response>> lease_grant(std::int64_t ttl_seconds);
    // One POST per renewal (a chunked request body is not answered before
    // it ends). The TTL left, 0 when the lease is gone.
    boost::asio::awaitable<result<std::int64_t>> lease_keepalive(lease_id id, duration timeout);
    boost::asio::awaitable<status> lease_revoke(lease_id id, duration timeout);
    // Opens a watch of `r` from `start_revision` (with the header
    // Grpc-Metadata-Hasleader: true, so a member cut off from its leader
    // ends the stream rather than going silent). The opening answer
    // (created) has been read when this returns.
    boost::asio::awaitable<result<std::unique_ptr<etcd_watch>>> watch(const range_request& r,
                                                                      revision_t start_revision);

    // "HOST:PORT,..." for messages.
    std::string endpoints_text() const;

    struct connection;  // one TCP connection to one endpoint (the .cpp's)

private:
    // POSTs `body` to `target`; the answer's body when it is 200, else the
    // gateway's error (unavailable).
    boost::asio::awaitable<result<std::string>> post(const std::string& target, const std::string& body,
                                                     duration timeout);
    boost::asio::awaitable<result<std::unique_ptr<connection>>> connect(std::chrono::steady_clock::time_point deadline);

    boost::asio::any_io_executor ex_;
    std::vector<util::host_port> endpoints_;
    std::size_t current_ = 0;  // the endpoint the next call starts at
    duration timeout_;
};

}  // namespace gafka::cluster
