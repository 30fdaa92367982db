#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include "gafka/kafka/server.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <deque>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include "gafka/kafka/answer.h"
#include "gafka/kafka/api_table.h"
#include "gafka/kafka/dispatch.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/api_versions.h"
#include "gafka/util/logging.h"
#include "gafka/util/socket_deadline.h"
#include "gafka/util/tcp_listener.h"
#include "gafka/util/wakeup.h"

namespace gafka::kafka {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// The requests of one connection read but not yet answered, and the
// connection's own state; shared by its reader, writer and handlers, all
// on the connection's one thread.
struct connection_pipeline {
    connection_pipeline(const asio::any_io_executor& ex, broker_context& b, std::string peer)
        : conn{b, std::move(peer)}, writer_wake(ex), reader_wake(ex) {
        conn.authenticated = b.auth_tokens.empty();
    }
    // At most this many requests read ahead of their answers (librdkafka
    // keeps up to 1000000 in flight by default; 5 with idempotence), and no
    // new one while their frames add up to the frame limit. A request left
    // unread is not appended, so it misses the fsync that starts next: with
    // 64, librdkafka at linger.ms=0 (a request a record, 5000 a second a
    // connection) hit the cap whenever acks took over 13 ms, and the records
    // behind it waited a second fsync. 256 covers 50 ms stalls at that rate.
    static constexpr std::size_t max_depth = 256;
    bool full(std::size_t max_bytes) const { return answers.size() >= max_depth || queued_bytes >= max_bytes; }

    connection_context conn;
    std::deque<std::shared_ptr<pending_answer>> answers;
    std::size_t queued_bytes = 0;
    bool reading_done = false;
    bool writer_done = false;
    bool reader_idle = false;
    util::wakeup writer_wake;
    util::wakeup reader_wake;
};

namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("kafka"); }

std::string api_name(const request& req) {
    return req.api ? std::string(req.api->name) : "api key " + std::to_string(req.header.api_key);
}

}  // namespace

server::server(std::vector<asio::io_context*> ios, broker_context& ctx, server_limits limits)
    : ios_(std::move(ios)), ctx_(ctx), limits_(std::move(limits)), acceptor_(*ios_.at(0)) {
    if (!limits_.connections) limits_.connections = std::make_shared<util::connection_limit>(limits_.max_connections);
}

status server::listen(const std::string& address, std::uint16_t port) {
    return util::listen_tcp(acceptor_, address, port, " (Kafka)", limits_.tcp_congestion);
}

std::uint16_t server::port() const { return acceptor_.local_endpoint().port(); }

void server::start() { asio::co_spawn(*ios_[0], accept_loop(), asio::detached); }

void server::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::awaitable<void> server::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        auto& io = *ios_[next_io_++ % ios_.size()];
        tcp::socket socket(io);
        co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            lg()->warn("accept failed: {}", ec.message());
            if (ec == asio::error::no_descriptors) {  // EMFILE/ENFILE: retrying at once would spin
                asio::steady_timer pause(*ios_[0], std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        if (!limits_.connections->try_acquire()) {
            ++ctx_.refused_connections;
            socket.close(ec);
            continue;
        }
        ++ctx_.open_connections;
        asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> server::session(tcp::socket socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string peer = ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
    util::socket_deadline deadline(socket);
    if (!tls_) {
        co_await serve(socket, deadline, peer);
    } else {
        ssl::stream<tcp::socket&> stream(socket, *tls_);
        deadline.arm(limits_.header_timeout);
        co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
        deadline.cancel();
        if (ec) {
            lg()->debug("{}: TLS handshake failed: {}", peer, ec.message());
        } else {
            co_await serve(stream, deadline, peer);
            if (socket.is_open()) {  // close_notify, unless the client is gone
                deadline.arm(std::chrono::seconds(2));
                co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
                deadline.cancel();
            }
        }
    }
    if (socket.is_open()) socket.shutdown(tcp::socket::shutdown_send, ec);
    --ctx_.open_connections;
    limits_.connections->release();
}

template <class Stream>
asio::awaitable<void> server::serve(Stream& stream, util::socket_deadline& deadline, std::string peer) {
    auto& socket = boost::beast::get_lowest_layer(stream);
    auto p = std::make_shared<connection_pipeline>(socket.get_executor(), ctx_, std::move(peer));
    const auto& who = p->conn.peer;
    // The writer ends before this coroutine returns (the stream is ours).
    asio::co_spawn(socket.get_executor(), write_answers(stream, deadline, p), [p](std::exception_ptr) {
        p->writer_done = true;
        p->reader_wake.notify();
    });
    frame_reader reader(limits_.max_frame_bytes);
    auto close_with = [&](const std::string& why) { lg()->warn("{}: {}; closing the connection", who, why); };
    // An answer the reader makes itself, in its place in the order.
    auto answer_now = [&](std::string answer) {
        auto place = std::make_shared<pending_answer>();
        place->frame = std::move(answer);
        place->ready = true;
        p->answers.push_back(std::move(place));
        p->writer_wake.notify();
    };
    for (;;) {
        while (p->full(limits_.max_frame_bytes) && !p->writer_done) co_await p->reader_wake.wait();
        if (p->writer_done) break;
        // Idle until a frame's first byte (not while answers are due: the
        // writer arms the idle timeout once it wrote the last one).
        if (!reader.mid_frame() && p->answers.empty()) deadline.arm(limits_.idle_timeout);
        if (reader.mid_frame()) deadline.arm(limits_.header_timeout);
        // The frame, owned apart from the read-ahead: the request's record
        // views point into it while its handler runs.
        std::shared_ptr<frame_bytes> frame;
        for (;;) {
            auto got = reader.next();
            if (!got.ok()) {
                close_with(got.error().message() + " (--max-body-bytes)");
                break;
            }
            if (*got) {
                frame = std::move(**got);
                break;
            }
            bool began = reader.mid_frame();
            auto room = reader.room();
            p->reader_idle = !began;
            boost::system::error_code ec;
            auto n = co_await stream.async_read_some(asio::buffer(room.data(), room.size()),
                                                     asio::redirect_error(asio::use_awaitable, ec));
            p->reader_idle = false;
            if (ec || p->writer_done) break;
            if (!began) deadline.arm(limits_.header_timeout);  // a frame began
            reader.filled(n);
        }
        if (!frame) break;
        deadline.cancel();
        std::size_t size = frame->size();
        ++ctx_.requests;
        if (p->conn.raw_sasl_next) {  // after a SaslHandshake v0: a bare SASL/PLAIN message
            p->conn.raw_sasl_next = false;
            if (!handlers::authenticate_plain(p->conn, frame->view().substr(frame_prefix_size))) {
                close_with("SASL/PLAIN authentication failed");
                break;
            }
            answer_now(std::string(frame_prefix_size, '\0'));  // an empty frame: authenticated
            continue;
        }
        auto decoded = decode_request(frame->view(), limits_.max_frame_bytes);
        if (!decoded.ok()) {
            close_with("malformed frame: " + decoded.error().message());
            break;
        }
        auto& req = *decoded;
        ctx_.counters.request(req.header.api_key);
        const api_handler* h = find_handler(req.header.api_key);
        if (req.supported == support::unsupported_version && req.header.api_key == api_key::api_versions) {
            // Answered as v0 whatever was asked, so the client can read it and fall back.
            std::string answer;
            ctx_.counters.error(error_code::unsupported_version);
            encode_response(messages::api_versions, 0, req.header.correlation_id,
                            handlers::api_versions_answer(error_code::unsupported_version), answer);
            answer_now(std::move(answer));
            continue;
        }
        if (req.supported != support::served || h == nullptr || !h->served.contains(req.header.api_version)) {
            close_with((h == nullptr ? api_name(req) + " is not served"
                                     : api_name(req) + " version " + std::to_string(req.header.api_version) +
                                           " is not served") +
                       " (client " + std::string(req.header.client_id.value_or("null")) + ")");
            break;
        }
        auto place = std::make_shared<pending_answer>();
        place->request_bytes = size;
        p->queued_bytes += size;
        p->answers.push_back(place);
        // Handlers start in request order (co_spawn posts to this
        // connection's one thread, first in, first out).
        asio::co_spawn(socket.get_executor(), answer(std::move(frame), std::move(req), p, place), asio::detached);
        // Until the client authenticated, one request at a time: whether
        // the next frame is a request or a bare SASL message (after a
        // SaslHandshake v0) depends on this one's answer.
        while (!p->conn.authenticated && !place->ready && !p->writer_done) co_await p->reader_wake.wait();
    }
    deadline.cancel();
    p->reading_done = true;
    p->writer_wake.notify();
    while (!p->writer_done) co_await p->reader_wake.wait();
}

asio::awaitable<void> server::answer(std::shared_ptr<frame_bytes> frame, request req,
                                     std::shared_ptr<connection_pipeline> p, std::shared_ptr<pending_answer> place) {
    auto& conn = p->conn;
    const api_handler* h = find_handler(req.header.api_key);  // checked by the reader
    // Checked here rather than by the reader: a SaslAuthenticate read just
    // before has run by now (handlers start in order).
    if (!conn.authenticated && !h->before_authentication) {
        lg()->warn("{}: {} before SASL authentication; closing the connection", conn.peer, api_name(req));
        place->close = true;
    } else {
        try {
            auto body = co_await h->handle(req, conn);
            if (body) {
                conn.broker.counters.answered(body->body);
                encode_response(*h->api, req.header.api_version, req.header.correlation_id, body->body, place->frame,
                                &place->splices);
                place->files = std::move(body->files);
            }
        } catch (const std::exception& e) {  // a bug, not the client's fault: the connection ends after it
            lg()->error("{}: {}: {}", conn.peer, api_name(req), e.what());
            place->frame.clear();
            place->close = true;
        }
        if (conn.close_after_answer) place->close = true;
    }
    (void)frame;  // kept alive until the handler is done with the request's views
    place->ready = true;
    p->writer_wake.notify();
    p->reader_wake.notify();
}

namespace {

// Record sets this large or larger go out with sendfile; smaller ones are
// read into the answer and written with it in one call. sendfile writes
// the frame in three calls (before, batches, after), each a packet of its
// own: for the one small batch a caught-up consumer fetches, three sends
// and up to three wakeups of the client instead of one.
constexpr std::uint64_t sendfile_min_bytes = 16 << 10;

std::uint64_t spliced_bytes(const pending_answer& a) {
    std::uint64_t n = 0;
    for (const auto& s : a.splices) n += s.length;
    return n;
}

// Writes `a`'s frame on a plain TCP socket, its record sets straight from
// the segment files with sendfile(2): the kernel copies page-cache pages
// to the socket, and the batches never enter this process.
asio::awaitable<boost::system::error_code> write_with_sendfile(tcp::socket& socket, const pending_answer& a) {
    boost::system::error_code ec;
    std::size_t from = 0;
    for (const auto& s : a.splices) {
        co_await asio::async_write(socket, asio::buffer(a.frame.data() + from, s.at - from),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return ec;
        from = s.at;
        const auto& f = a.files.at(static_cast<std::size_t>(s.slot));
        auto offset = static_cast<off_t>(f.position);
        for (std::uint64_t left = s.length; left > 0;) {
            auto n = ::sendfile(socket.native_handle(), f.fd, &offset, left);
            if (n > 0) {
                left -= static_cast<std::uint64_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                co_await socket.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return ec;
            } else {  // 0: the file is shorter than the range (cannot happen: batches are never cut while read)
                co_return boost::system::error_code(n < 0 ? errno : EIO, boost::system::system_category());
            }
        }
    }
    co_await asio::async_write(socket, asio::buffer(a.frame.data() + from, a.frame.size() - from),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

}  // namespace

template <class Stream>
asio::awaitable<void> server::write_answers(Stream& stream, util::socket_deadline& reader_deadline,
                                            std::shared_ptr<connection_pipeline> p) {
    auto& socket = boost::beast::get_lowest_layer(stream);
    util::socket_deadline deadline(socket);
    boost::system::error_code ec;
    std::vector<asio::const_buffer> run;
    for (;;) {
        while (p->answers.empty() || !p->answers.front()->ready) {
            if (p->answers.empty() && p->reading_done) co_return;
            co_await p->writer_wake.wait();
        }
        const auto& next = *p->answers.front();
        auto count = next.splices.empty() ? answers_written_together(p->answers) : 1;
        deadline.arm(std::chrono::seconds(30));
        if (next.splices.empty()) {
            run.clear();
            for (std::size_t i = 0; i < count; ++i)
                if (!p->answers[i]->frame.empty()) run.push_back(asio::buffer(p->answers[i]->frame));
            if (!run.empty())
                co_await asio::async_write(stream, run, asio::redirect_error(asio::use_awaitable, ec));
        } else {
            bool with_sendfile = false;
            if constexpr (std::is_same_v<Stream, tcp::socket>) with_sendfile = spliced_bytes(next) >= sendfile_min_bytes;
            if (with_sendfile) {
                if constexpr (std::is_same_v<Stream, tcp::socket>) ec = co_await write_with_sendfile(stream, next);
            } else {  // TLS encrypts in user space, and a few KiB cost less read and written in one call
                auto whole = splice_in(next.frame, next.splices, next.files);
                if (!whole.ok()) {
                    lg()->error("{}: {}", p->conn.peer, whole.error().message());
                    ec = asio::error::broken_pipe;
                } else {
                    co_await asio::async_write(stream, asio::buffer(*whole),
                                               asio::redirect_error(asio::use_awaitable, ec));
                }
            }
        }
        deadline.cancel();
        bool close = false;
        for (std::size_t i = 0; i < count; ++i) {
            close = close || p->answers.front()->close;
            p->queued_bytes -= p->answers.front()->request_bytes;
            p->answers.pop_front();
        }
        p->reader_wake.notify();
        if (ec || close) {
            // The reader may wait for bytes that will never be read: end it.
            socket.close(ec);
            co_return;
        }
        if (p->answers.empty() && p->reader_idle) reader_deadline.arm(limits_.idle_timeout);
    }
}

}  // namespace gafka::kafka
