#include "gafka/kafka/handlers/groups_common.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gafka::kafka::handlers {

error_code from_group_error(broker::group_error e) {
    using broker::group_error;
    switch (e) {
        case group_error::none: return error_code::none;
        case group_error::unknown_member: return error_code::unknown_member_id;
        case group_error::illegal_generation: return error_code::illegal_generation;
        case group_error::rebalance_in_progress: return error_code::rebalance_in_progress;
        case group_error::member_id_required: return error_code::member_id_required;
        case group_error::inconsistent_protocol: return error_code::inconsistent_group_protocol;
        case group_error::invalid_session_timeout: return error_code::invalid_session_timeout;
        case group_error::fenced_instance_id: return error_code::fenced_instance_id;
    }
    return error_code::unknown_server_error;
}

std::string group_instance_id_of(const value& v) {
    return std::string(v.nullable_str("group_instance_id").value_or(""));
}

error_code coordinator_error(const broker_context& broker) {
    switch (broker.core ? broker.core->group_coordinator_state() : broker.offsets.state()) {
        case broker::coordinator_state::serving: return error_code::none;
        case broker::coordinator_state::loading: return error_code::coordinator_load_in_progress;
        case broker::coordinator_state::not_coordinator: return error_code::not_coordinator;
    }
    return error_code::not_coordinator;
}

std::string client_host_of(std::string_view peer) {
    auto host = peer.substr(0, peer.rfind(':'));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return "/" + std::string(host);
}

boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
}

}  // namespace gafka::kafka::handlers
