// GET /api/v1/consume?topic=T&partition=P&offset=O&count=N&timeout=D: reads
// records from one partition, long-polling up to `timeout` when there are
// none yet. (Group consumption, with group_id and consumer_id, comes with the
// group coordinator.)
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include <charconv>
#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gafka/http/context.h"
#include "gafka/http/query.h"
#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"
#include "gafka/util/duration.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace {

constexpr std::int64_t default_count = 100;
constexpr std::int64_t max_count = 10'000;
constexpr auto max_timeout = std::chrono::seconds(30);
constexpr std::size_t max_fetch_bytes = 4 << 20;

std::optional<std::int64_t> parse_int(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Suspends until the partition's visible end passes `offset` or `deadline`.
asio::awaitable<void> wait_for_data(broker::partition& p, log::offset_t offset,
                                    std::chrono::steady_clock::time_point deadline) {
    auto ex = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(ex, deadline);
    // The wake-up is posted to this coroutine's strand, so it cannot run
    // between the check below and the start of the wait.
    auto id = p.wait_for_data([timer] { asio::post(timer->get_executor(), [timer] { timer->cancel(); }); });
    if (p.visible_end() > offset) {
        p.cancel_wait(id);
        co_return;
    }
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    p.cancel_wait(id);
}

struct fetch {
    std::string records_json;  // comma-separated objects
    std::int64_t count = 0;
    log::offset_t next_offset = 0;
};

result<fetch> read_records(broker::partition& p, const std::string& topic, log::offset_t offset, std::int64_t max) {
    fetch f;
    f.next_offset = offset;
    json::record_origin origin{topic, p.id()};
    while (f.count < max) {
        auto r = p.log().read(f.next_offset, max_fetch_bytes, p.visible_end());
        if (!r.ok()) {
            if (f.count > 0) break;  // serve what was read; the next call reports it
            return r.error();
        }
        if (r->data.empty()) break;
        std::string_view data(r->data);
        while (!data.empty() && f.count < max) {
            auto h = log::decode_header(data.data());
            log::batch_records records(data.substr(0, h.length));
            log::record_view rv;
            while (f.count < max && records.next(rv)) {
                if (rv.offset < f.next_offset) continue;
                if (f.count > 0) f.records_json += ',';
                json::append_record_json(f.records_json, origin, rv);
                f.next_offset = rv.offset + 1;
                ++f.count;
            }
            data.remove_prefix(h.length);
        }
    }
    return f;
}

}  // namespace

asio::awaitable<response> handle_consume(const request& req, server_context& ctx) {
    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    auto topic_name = t->get("topic");
    if (!topic_name || topic_name->empty())
        co_return error_response(req, api_error::invalid("missing_topic", "the 'topic' parameter is required"));
    if (t->get("group_id") || t->get("consumer_id"))
        co_return error_response(req, {beast_http::status::not_implemented, "groups_not_available",
                                       "consumer groups are not served by this broker yet", {}});
    auto topic = ctx.topics.find(*topic_name);
    if (!topic) co_return error_response(req, api_error::unknown_topic(*topic_name));

    auto partition_param = t->get("partition");
    if (!partition_param)
        co_return error_response(req, api_error::bad_request("'partition' is required (or group_id and consumer_id)"));
    auto pid = parse_int(*partition_param);
    if (!pid) co_return error_response(req, api_error::bad_request("'partition' must be a number"));
    if (*pid < 0 || *pid >= static_cast<std::int64_t>(topic->partitions.size()))
        co_return error_response(req, api_error::invalid("unknown_partition", "partition '" + *partition_param +
                                                                                  "' does not exist in '" +
                                                                                  *topic_name + "'"));
    auto& part = *topic->partitions[static_cast<std::size_t>(*pid)];

    std::int64_t count = default_count;
    if (auto c = t->get("count")) {
        auto v = parse_int(*c);
        if (!v || *v < 1 || *v > max_count)
            co_return error_response(req, api_error::bad_request("'count' must be between 1 and " +
                                                                 std::to_string(max_count)));
        count = *v;
    }
    std::chrono::milliseconds timeout{0};
    if (auto d = t->get("timeout")) {
        auto v = util::parse_duration(*d);
        if (!v.ok()) co_return error_response(req, api_error::bad_request(v.error().message()));
        if (*v > max_timeout) co_return error_response(req, api_error::bad_request("'timeout' is at most 30s"));
        timeout = *v;
    }
    log::offset_t offset = part.log().log_start_offset();
    if (auto o = t->get("offset")) {
        if (*o == "earliest" || *o == "beginning") offset = part.log().log_start_offset();
        else if (*o == "latest" || *o == "end") offset = part.visible_end();
        else {
            auto v = parse_int(*o);
            if (!v || *v < 0)
                co_return error_response(req, api_error::bad_request(
                                                  "'offset' must be a non-negative number, earliest or latest"));
            offset = *v;
        }
    }
    if (offset > part.log().log_end_offset() || offset < part.log().log_start_offset()) {
        auto e = api_error::from_status(status::out_of_range(
            "offset " + std::to_string(offset) + " is outside the log of " + *topic_name + "/" +
            std::to_string(*pid) + " [" + std::to_string(part.log().log_start_offset()) + ", " +
            std::to_string(part.log().log_end_offset()) + "]"));
        co_return error_response(req, e);
    }

    auto deadline = std::chrono::steady_clock::now() + timeout;
    fetch f;
    for (int rounds = 0;; ++rounds) {
        auto r = read_records(part, *topic_name, offset, count);
        if (!r.ok()) co_return error_response(req, api_error::from_status(r.error()));
        f = std::move(*r);
        if (f.count > 0 || std::chrono::steady_clock::now() >= deadline || !ctx.topics.find(*topic_name)) break;
        co_await wait_for_data(part, offset, deadline);
    }
    ctx.records_out += f.count;

    // Topic names are [A-Za-z0-9._-] only, so they need no escaping; the
    // records arrive already encoded.
    std::string body;
    body.reserve(f.records_json.size() + 200);
    body += "{\"topic\":\"" + *topic_name + "\",\"partition\":" + std::to_string(part.id()) + ",\"records\":[";
    body += f.records_json;
    body += "],\"next_offset\":" + std::to_string(f.next_offset) +
            ",\"high_watermark\":" + std::to_string(part.visible_end()) +
            ",\"log_start_offset\":" + std::to_string(part.log().log_start_offset()) + "}\n";
    co_return json_response(req, beast_http::status::ok, std::move(body));
}

}  // namespace gafka::http
