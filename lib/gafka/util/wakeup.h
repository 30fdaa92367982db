#pragma once
// A one-waiter wake-up for coroutines on one thread (a connection's reader
// and writer, in the HTTP and Kafka servers).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gafka::util {

// Wakes one coroutine waiting on it. The waiter checks its condition
// before it waits, in a loop, so a notify() while nobody waits is not lost.
class wakeup {
public:
    explicit wakeup(const boost::asio::any_io_executor& ex) : timer_(ex) {}
    boost::asio::awaitable<void> wait() {
        boost::system::error_code ignored;
        timer_.expires_at(std::chrono::steady_clock::time_point::max());
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    void notify() { timer_.cancel(); }

private:
    boost::asio::steady_timer timer_;
};

}  // namespace gafka::util
