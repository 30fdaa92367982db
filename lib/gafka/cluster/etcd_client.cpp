#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/cluster/etcd_client.h"

#include <array>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace gafka::cluster {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;
using asio::ip::tcp;
using clock = std::chrono::steady_clock;

namespace {

constexpr auto use = asio::use_awaitable;

bh::request<bh::string_body> make_post(const util::host_port& to, const std::string& target, std::string body) {
    bh::request<bh::string_body> req{bh::verb::post, target, 11};
    req.set(bh::field::host, to.host + ":" + std::to_string(to.port));
    req.set(bh::field::user_agent, "gafka");
    req.set(bh::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

std::string describe(const boost::system::error_code& ec) {
    return ec == beast::error::timeout ? std::string("timed out") : ec.message();
}

// The error of a non-200 answer: the gateway's own message when it has one.
status error_of(unsigned http_status, const std::string& body) {
    auto decoded = decode_header_revision(body);
    if (!decoded.ok() && decoded.error().code() == status_code::unavailable) return decoded.error();
    return status::unavailable("etcd answered HTTP " + std::to_string(http_status));
}

}  // namespace

result<std::vector<util::host_port>> parse_cluster_url(std::string_view url) {
    constexpr std::string_view scheme = "etcd://";
    if (url.substr(0, scheme.size()) != scheme)
        return status::invalid_argument("--cluster must be etcd://HOST:PORT[,HOST:PORT...], not '" + std::string(url) +
                                        "'");
    auto list = util::parse_host_port_list(url.substr(scheme.size()));
    if (!list.ok()) return status::invalid_argument("--cluster '" + std::string(url) + "': " + list.error().message());
    return list;
}

struct etcd_client::connection {
    explicit connection(asio::any_io_executor ex) : stream(std::move(ex)) {}
    beast::tcp_stream stream;
    util::host_port to;
};

struct etcd_watch::impl {
    std::unique_ptr<etcd_client::connection> conn;
    beast::flat_buffer buffer;
    bh::response_parser<bh::buffer_body> parser;
    std::string pending;  // received bytes not yet a whole line
    bool closed = false;
};

etcd_watch::etcd_watch(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
etcd_watch::~etcd_watch() = default;

void etcd_watch::close() {
    impl_->closed = true;
    impl_->conn->stream.close();
}

asio::awaitable<result<watch_response>> etcd_watch::next() {
    auto& s = *impl_;
    for (;;) {
        if (auto nl = s.pending.find('\n'); nl != std::string::npos) {
            auto line = s.pending.substr(0, nl);
            s.pending.erase(0, nl + 1);
            if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
            co_return decode_watch(line);
        }
        if (s.closed || s.parser.is_done()) co_return status::unavailable("the etcd watch stream ended");
        std::array<char, 8192> room;
        s.parser.get().body().data = room.data();
        s.parser.get().body().size = room.size();
        boost::system::error_code ec;
        s.conn->stream.expires_never();
        co_await bh::async_read_some(s.conn->stream, s.buffer, s.parser, asio::redirect_error(use, ec));
        if (ec == bh::error::need_buffer) ec = {};
        if (ec || s.closed) {
            s.conn->stream.close();
            co_return status::unavailable("the etcd watch stream from " + s.conn->to.host + ":" +
                                          std::to_string(s.conn->to.port) +
                                          " ended: " + (s.closed ? std::string("closed") : describe(ec)));
        }
        s.pending.append(room.data(), room.size() - s.parser.get().body().size);
        if (s.pending.size() > (16u << 20)) co_return status::corruption("an etcd watch answer is over 16 MiB");
    }
}

etcd_client::etcd_client(asio::any_io_executor ex, std::vector<util::host_port> endpoints, duration timeout)
    : ex_(std::move(ex)), endpoints_(std::move(endpoints)), timeout_(timeout) {}

std::string etcd_client::endpoints_text() const {
    std::string out;
    for (const auto& e : endpoints_) out += (out.empty() ? "" : ",") + e.host + ":" + std::to_string(e.port);
    return out;
}

asio::awaitable<result<std::unique_ptr<etcd_client::connection>>> etcd_client::connect(clock::time_point deadline) {
    std::string failures;
    for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
        const auto& to = endpoints_[current_];
        auto c = std::make_unique<connection>(ex_);
        c->to = to;
        boost::system::error_code ec;
        tcp::resolver resolver(ex_);
        auto found = co_await resolver.async_resolve(to.host, std::to_string(to.port), asio::redirect_error(use, ec));
        if (!ec) {
            c->stream.expires_at(deadline);
            co_await c->stream.async_connect(found, asio::redirect_error(use, ec));
        }
        if (!ec) co_return c;
        failures += (failures.empty() ? "" : "; ") + to.host + ":" + std::to_string(to.port) + ": " + describe(ec);
        current_ = (current_ + 1) % endpoints_.size();
        if (clock::now() >= deadline) break;
    }
    co_return status::unavailable("cannot reach etcd (" + failures + ")");
}

asio::awaitable<result<std::string>> etcd_client::post(const std::string& target, const std::string& body,
                                                       duration timeout) {
    auto deadline = clock::now() + timeout;
    auto conn = co_await connect(deadline);
    if (!conn.ok()) co_return conn.error();
    auto& c = **conn;
    boost::system::error_code ec;
    auto req = make_post(c.to, target, body);
    co_await bh::async_write(c.stream, req, asio::redirect_error(use, ec));
    beast::flat_buffer buffer;
    bh::response_parser<bh::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) co_await bh::async_read(c.stream, buffer, parser, asio::redirect_error(use, ec));
    if (ec) {
        current_ = (current_ + 1) % endpoints_.size();  // the next call tries another member
        co_return status::unavailable("etcd " + c.to.host + ":" + std::to_string(c.to.port) + " " + target + ": " +
                                      describe(ec));
    }
    auto res = parser.release();
    if (res.result_int() != 200) co_return error_of(res.result_int(), res.body());
    co_return std::move(res.body());
}

asio::awaitable<result<range_response>> etcd_client::range(const range_request& r) {
    const std::string target = "/v3/kv/range", json = encode(r);
    auto body = co_await post(target, json, timeout_);
    if (!body.ok()) co_return body.error();
    co_return decode_range(*body);
}

asio::awaitable<result<revision_t>> etcd_client::put(const put_request& r) {
    const std::string target = "/v3/kv/put", json = encode(r);
    auto body = co_await post(target, json, timeout_);
    if (!body.ok()) co_return body.error();
    co_return decode_header_revision(*body);
}

asio::awaitable<result<revision_t>> etcd_client::remove(const range_request& r) {
    const std::string target = "/v3/kv/deleterange", json = encode_delete(r);
    auto body = co_await post(target, json, timeout_);
    if (!body.ok()) co_return body.error();
    co_return decode_header_revision(*body);
}

asio::awaitable<result<txn_response>> etcd_client::txn(const txn_request& r) {
    const std::string target = "/v3/kv/txn", json = encode(r);
    auto body = co_await post(target, json, timeout_);
    if (!body.ok()) co_return body.error();
    co_return decode_txn(*body);
}

asio::awaitable<result<lease_grant_response>> etcd_client::lease_grant(std::int64_t ttl_seconds) {
    const std::string target = "/v3/lease/grant", json = encode_lease_grant(ttl_seconds);
    auto body = co_await post(target, json, timeout_);
    if (!body.ok()) co_return body.error();
    co_return decode_lease_grant(*body);
}

asio::awaitable<result<std::int64_t>> etcd_client::lease_keepalive(lease_id id, duration timeout) {
    const std::string target = "/v3/lease/keepalive", json = encode_lease_id(id);
    auto body = co_await post(target, json, timeout);
    if (!body.ok()) co_return body.error();
    co_return decode_keepalive(*body);
}

asio::awaitable<status> etcd_client::lease_revoke(lease_id id, duration timeout) {
    const std::string target = "/v3/lease/revoke", json = encode_lease_id(id);
    auto body = co_await post(target, json, timeout);
    if (!body.ok()) co_return body.error();
    auto decoded = decode_header_revision(*body);
    co_return decoded.ok() ? status{} : decoded.error();
}

asio::awaitable<result<std::unique_ptr<etcd_watch>>> etcd_client::watch(const range_request& r,
                                                                        revision_t start_revision) {
    auto deadline = clock::now() + timeout_;
    auto conn = co_await connect(deadline);
    if (!conn.ok()) co_return conn.error();
    auto s = std::make_unique<etcd_watch::impl>();
    s->conn = std::move(*conn);
    auto& c = *s->conn;
    auto req = make_post(c.to, "/v3/watch", encode_watch_create(r, start_revision));
    req.set("Grpc-Metadata-Hasleader", "true");
    boost::system::error_code ec;
    co_await bh::async_write(c.stream, req, asio::redirect_error(use, ec));
    if (!ec) co_await bh::async_read_header(c.stream, s->buffer, s->parser, asio::redirect_error(use, ec));
    if (!ec && s->parser.get().result_int() != 200)
        co_return status::unavailable("etcd answered a watch with HTTP " +
                                      std::to_string(s->parser.get().result_int()));
    if (ec) {
        current_ = (current_ + 1) % endpoints_.size();
        co_return status::unavailable("etcd " + c.to.host + ":" + std::to_string(c.to.port) +
                                      " /v3/watch: " + describe(ec));
    }
    auto w = std::make_unique<etcd_watch>(std::move(s));
    // The first answer says the watch exists; it must come within the deadline.
    asio::steady_timer guard(ex_);
    guard.expires_at(deadline);
    guard.async_wait([&w](boost::system::error_code e) {
        if (!e) w->close();
    });
    auto created = co_await w->next();
    guard.cancel();
    if (!created.ok()) co_return created.error();
    if (!created->created || created->canceled)
        co_return status::unavailable("etcd did not open the watch" +
                                      (created->cancel_reason.empty() ? "" : ": " + created->cancel_reason));
    co_return w;
}

}  // namespace gafka::cluster
