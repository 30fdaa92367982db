#pragma once
// Awaiting, from a request coroutine, an operation that reports a status
// through a callback on some other thread (an fsync pool): the result is
// posted back to the coroutine's own executor.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <functional>
#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gafka/util/status.h"

namespace gafka::util {

// `start` begins the operation and must call its argument exactly once.
inline boost::asio::awaitable<status> await_status(std::function<void(std::function<void(status)>)> start) {
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(status)>(
        [start = std::move(start), ex](auto handler) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            start([h, ex](status s) { asio::post(ex, [h, s = std::move(s)]() mutable { (*h)(std::move(s)); }); });
        },
        asio::use_awaitable);
}

// Posts a blocking job to some pool (a thread_pool's post); what await_blocking runs through.
using blocking_runner = std::function<void(std::function<void()>)>;

// Runs blocking `work` (an etcd round trip) through `run`, off the caller's
// thread, and resumes on the coroutine's executor with its status: an io
// thread serves its other connections meanwhile. Empty `run`: runs it here.
inline boost::asio::awaitable<status> await_blocking(blocking_runner run, std::function<status()> work) {
    if (!run) co_return work();
    struct job {
        blocking_runner run;
        std::function<status()> work;
    } j{std::move(run), std::move(work)};
    // The callable holds one pointer: g++ 12 destroys a co_await operand's
    // temporaries twice when they are not trivial (kafka/handlers/create_topics.cpp).
    co_return co_await await_status([p = &j](std::function<void(status)> done) {
        p->run([p, done = std::move(done)] { done(p->work()); });
    });
}

}  // namespace gafka::util
