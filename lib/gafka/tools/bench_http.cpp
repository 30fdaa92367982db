#include "gafka/tools/bench_http.h"

#include "gafka/client/auth_token.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <boost/asio/ssl/error.hpp>

#include "gafka/util/clock.h"

namespace gafka::tools {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

}  // namespace

bench_connection::bench_connection(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
                                   tls::context_ptr tls)
    : host_(std::move(host)), port_(port), timeout_(timeout), buf_(64 << 10) {
    if (tls) tls_ = std::make_unique<client::client_stream>(std::move(tls));
}

bench_connection::~bench_connection() { close(); }

void bench_connection::close() {
    if (tls_) tls_->close();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    used_ = 0;
}

status bench_connection::open() {
    if (tls_) {
        tls_->expires_after(timeout_);
        return tls_->connect(host_, port_);
    }
    auto where = host_ + ":" + std::to_string(port_);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found); rc != 0)
        return status::unavailable("cannot resolve " + where + ": " + ::gai_strerror(rc));
    int err = 0;
    for (auto* a = found; a && fd_ < 0; a = a->ai_next) {
        fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd_ < 0) continue;
        timeval tv{static_cast<time_t>(timeout_.count() / 1000), static_cast<suseconds_t>(timeout_.count() % 1000 * 1000)};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            ::close(fd_);
            fd_ = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) return status::unavailable("cannot connect to " + where + ": " + std::strerror(err));
    return {};
}

status bench_connection::send(std::string_view method, std::string_view target, std::string_view body,
                              std::string_view content_type) {
    head_.clear();
    head_.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_);
    head_.append("\r\nUser-Agent: gafka-bench\r\nContent-Length: ").append(std::to_string(body.size()));
    if (!content_type.empty()) head_.append("\r\nContent-Type: ").append(content_type);
    if (const auto& token = client::auth_token(); !token.empty()) head_.append("\r\nAuthorization: Bearer ").append(token);
    head_.append("\r\n\r\n");
    if (tls_) {
        tls_->expires_after(timeout_);
        auto ec = tls_->write_all({boost::asio::buffer(head_), boost::asio::buffer(body.data(), body.size())});
        return ec ? status::unavailable("send: " + ec.message()) : status{};
    }
    iovec iov[2] = {{head_.data(), head_.size()}, {const_cast<char*>(body.data()), body.size()}};
    int n_iov = body.empty() ? 1 : 2;
    int at = 0;
    while (at < n_iov) {
        msghdr msg{};
        msg.msg_iov = iov + at;
        msg.msg_iovlen = static_cast<std::size_t>(n_iov - at);
        auto n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return status::unavailable(std::string("send: ") + std::strerror(errno));
        }
        auto left = static_cast<std::size_t>(n);
        while (at < n_iov && left >= iov[at].iov_len) left -= iov[at++].iov_len;
        if (at < n_iov) {
            iov[at].iov_base = static_cast<char*>(iov[at].iov_base) + left;
            iov[at].iov_len -= left;
        }
    }
    return {};
}

result<bench_reply> bench_connection::receive() {
    // Reads until the head is complete, then until the body is.
    std::size_t head_end = 0, total = 0;
    bool close_after = false;
    unsigned code = 0;
    for (;;) {
        if (head_end == 0) {
            std::string_view got(buf_.data(), used_);
            if (auto e = got.find("\r\n\r\n"); e != std::string_view::npos) {
                head_end = e + 4;
                auto head = got.substr(0, e);
                if (head.size() < 12 || !head.starts_with("HTTP/1."))
                    return status::unavailable("malformed HTTP answer");
                std::from_chars(head.data() + 9, head.data() + 12, code);
                std::optional<std::size_t> length;
                for (auto pos = head.find("\r\n"); pos != std::string_view::npos;) {
                    auto next = head.find("\r\n", pos + 2);
                    auto line = head.substr(pos + 2, next == std::string_view::npos ? next : next - pos - 2);
                    pos = next;
                    auto colon = line.find(':');
                    if (colon == std::string_view::npos) continue;
                    auto name = line.substr(0, colon);
                    auto value = line.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                    if (iequals(name, "content-length")) {
                        std::size_t n = 0;
                        std::from_chars(value.data(), value.data() + value.size(), n);
                        length = n;
                    } else if (iequals(name, "connection") && iequals(value, "close")) {
                        close_after = true;
                    } else if (iequals(name, "transfer-encoding")) {
                        return status::unavailable("chunked answers are not supported by gafka-bench's client");
                    }
                }
                if (!length) return status::unavailable("HTTP answer without Content-Length");
                total = head_end + *length;
                if (buf_.size() < total) buf_.resize(total);
            }
        }
        if (head_end != 0 && used_ >= total) break;
        if (used_ == buf_.size()) buf_.resize(buf_.size() * 2);
        auto n = read_some();
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return status::unavailable("timed out waiting for " + host_ + ":" + std::to_string(port_));
        if (n <= 0)
            return status::unavailable("lost connection to " + host_ + ":" + std::to_string(port_) +
                                       (used_ == 0 ? " (closed)" : ""));
        used_ += static_cast<std::size_t>(n);
    }
    bench_reply r{code, std::string_view(buf_.data() + head_end, total - head_end)};
    // The next answer starts after this one; nothing is pipelined, so
    // normally nothing is left over.
    if (used_ > total) return status::unavailable("unexpected bytes after an HTTP answer");
    used_ = 0;
    if (close_after) {
        if (tls_) tls_->close();
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    return r;
}

long bench_connection::read_some() {
    if (!tls_) return ::recv(fd_, buf_.data() + used_, buf_.size() - used_, 0);
    tls_->expires_after(timeout_);
    boost::system::error_code ec;
    auto n = tls_->read_some(boost::asio::buffer(buf_.data() + used_, buf_.size() - used_), ec);
    if (!ec) return static_cast<long>(n);
    if (ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated) return 0;
    errno = ec == boost::asio::error::timed_out ? EAGAIN : ECONNRESET;  // as recv() with SO_RCVTIMEO would say
    return -1;
}

result<bench_reply> bench_connection::request(std::string_view method, std::string_view target,
                                              std::string_view body, std::string_view content_type) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = tls_ ? tls_->is_open() : fd_ >= 0;
        if (!reused)
            if (auto s = open(); !s.ok()) return s;
        used_ = 0;
        auto s = send(method, target, body, content_type);
        if (s.ok()) {
            auto r = receive();
            if (r.ok()) return r;
            s = r.error();
        }
        close();
        // A kept-alive connection the broker closed fails on first use.
        if (!reused) return s;
    }
    return status::unavailable("lost connection to " + host_ + ":" + std::to_string(port_));
}

bench_connection& leader_links::leader(const std::string& topic, std::int32_t partition) {
    auto& md = metadata_.metadata();
    if (md.needs_refresh(util::steady_clock_ms())) (void)metadata_.refresh_metadata();
    auto lookup = md.leader_for(topic, partition);
    auto b = lookup.state == client::leader_state::known ? *lookup.leader : md.brokers_to_try().front();
    auto& link = links_[{b.host, b.port}];
    if (!link) link = std::make_unique<bench_connection>(b.host, b.port, timeout_);
    return *link;
}

result<bench_reply> leader_links::call(const std::string& topic, std::int32_t partition, std::string_view method,
                                       std::string_view target, std::string_view body,
                                       std::string_view content_type) {
    auto r = leader(topic, partition).request(method, target, body, content_type);
    if (!r.ok() || r->status != 421) return r;
    metadata_.metadata().request_refresh();  // not the leader: learn who is, then retry once
    return leader(topic, partition).request(method, target, body, content_type);
}

}  // namespace gafka::tools
