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

}  // namespace gafka::util
