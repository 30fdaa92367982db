#include "gafka/broker/fetch_path.h"

#include <algorithm>

namespace gafka::broker {
namespace {

status outside(const partition& p, log::offset_t offset, log::offset_t start, log::offset_t end) {
    if (offset >= start && offset <= end) return {};
    return status::out_of_range("offset " + std::to_string(offset) + " is outside the log of " + p.topic() + "/" +
                                std::to_string(p.id()) + " [" + std::to_string(start) + ", " + std::to_string(end) +
                                "]");
}

}  // namespace

status check_fetch_offset(const partition& p, log::offset_t offset) {
    return outside(p, offset, p.log().log_start_offset(), p.log().log_end_offset());
}

status check_commit_offset(const partition& p, log::offset_t offset) {
    return outside(p, offset, p.log().log_start_offset(), p.visible_end());
}

result<log::read_result> read_batches(const partition& p, log::offset_t offset, std::size_t max_bytes) {
    return p.log().read(offset, max_bytes, p.visible_end());
}

result<log::file_range> read_batch_range(const partition& p, log::offset_t offset, std::size_t max_bytes) {
    return p.log().read_range(offset, max_bytes, p.visible_end());
}

boost::asio::awaitable<bool> fetch_wait::wait(const std::vector<poll_target>& targets,
                                              std::optional<std::chrono::steady_clock::time_point> until) {
    if (std::chrono::steady_clock::now() >= deadline_) co_return false;
    if (!slot_ && !(slot_ = slots_.try_take())) co_return false;  // over --max-long-polls: answer now
    co_await wait_for_any(targets, until ? std::min(*until, deadline_) : deadline_);
    co_return true;
}

}  // namespace gafka::broker
