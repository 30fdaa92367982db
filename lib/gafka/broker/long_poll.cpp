#include "gafka/broker/long_poll.h"

#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gafka::broker {
namespace asio = boost::asio;

std::optional<long_poll_slots::slot> long_poll_slots::try_take() {
    // Taken optimistically and given back when over: never more than
    // `limit` holders at once, with no lock.
    if (++waiting_ > limit_) {
        --waiting_;
        ++over_limit_;
        return std::nullopt;
    }
    return slot(*this);
}

asio::awaitable<void> wait_for_any(const std::vector<poll_target>& targets,
                                   std::chrono::steady_clock::time_point deadline) {
    auto ex = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(ex, deadline);
    // Wake-ups come from other threads and are posted to this connection's
    // single thread, so none can run between the check below and the wait.
    auto wake = [timer] { asio::post(timer->get_executor(), [timer] { timer->cancel(); }); };
    // The waits are cancelled however this frame ends: also when the
    // io_context is stopped and destroyed with it suspended (a broker's
    // shutdown), so no partition keeps a wake-up that would post to a
    // destroyed io_context when it closes.
    struct waits {
        std::vector<std::pair<partition*, std::uint64_t>> ids;
        ~waits() {
            for (auto [p, id] : ids) p->cancel_wait(id);
        }
    } w;
    bool ready = false;
    for (const auto& t : targets) {
        w.ids.emplace_back(t.partition, t.partition->wait_for_data(wake));
        ready = ready || (t.replica ? t.partition->local_end() : t.partition->visible_end()) > t.offset;
    }
    if (!ready) {
        boost::system::error_code ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

}  // namespace gafka::broker
