// GET /api/v1/consume?topic=T&partition=P&offset=O&count=N&timeout=D: reads
// records from one partition, long-polling up to `timeout` when there are
// none yet. (Group consumption, with group_id and consumer_id, comes with the
// group coordinator.)
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)
#include <charconv>
#include <chrono>


#include "gafka/broker/fetch_path.h"
#include "gafka/http/context.h"
#include "gafka/http/fetch.h"
#include "gafka/http/query.h"

namespace gafka::http {
namespace asio = boost::asio;
asio::awaitable<response> handle_consume(const request& req, server_context& ctx) {
    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    auto topic_name = t->get("topic");
    if (!topic_name || topic_name->empty())
        co_return error_response(req, api_error::invalid("missing_topic", "the 'topic' parameter is required"));
    if (t->get("group_id") || t->get("consumer_id")) {
        // A group fetch joins the group, commits the member's last batch and
        // takes the next one: HEAD, which must change nothing, cannot do that.
        if (req.method() == beast_http::verb::head) {
            auto res = error_response(req, {beast_http::status::method_not_allowed, "method_not_allowed",
                                            "HEAD is not allowed on a group consume (it joins the group and takes "
                                            "records); use GET",
                                            {}});
            res.set(beast_http::field::allow, "GET");
            co_return res;
        }
        co_return co_await handle_group_consume(req, ctx, *t);
    }
    auto topic = ctx.topics.find(*topic_name);
    if (!topic) co_return error_response(req, api_error::topic_not_served(ctx.topics, *topic_name));

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

    fetch_params fp;
    if (auto e = parse_fetch_params(*t, fp)) co_return error_response(req, *e);
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
    if (auto s = broker::check_fetch_offset(part, offset); !s.ok())
        co_return error_response(req, api_error::from_status(s));

    auto deadline = std::chrono::steady_clock::now() + fp.timeout;
    fetch f;
    std::vector<broker::poll_target> waiting_on{{&part, offset}};
    broker::fetch_wait waiter(ctx.core, deadline);
    // Topic names are [A-Za-z0-9._-] only, so they need no escaping; the
    // records are written into the body as they are read.
    std::string body = "{\"topic\":\"" + *topic_name + "\",\"partition\":" + std::to_string(part.id()) + ",\"records\":[";
    auto head = body.size();
    for (;;) {
        body.resize(head);
        auto r = read_records(part, *topic_name, offset, fp.count, body, false);
        if (!r.ok()) co_return error_response(req, api_error::from_status(r.error()));
        f = std::move(*r);
        if (f.count > 0 || !ctx.topics.find(*topic_name)) break;
        if (!co_await waiter.wait(waiting_on)) break;  // the deadline passed, or over --max-long-polls
    }
    if (req.method() != beast_http::verb::head) {  // a HEAD serves no records
        topic->records_out += f.count;
        topic->bytes_out += f.bytes;
    }

    body += "],\"next_offset\":" + std::to_string(f.next_offset) +
            ",\"high_watermark\":" + std::to_string(part.visible_end()) +
            ",\"log_start_offset\":" + std::to_string(part.log().log_start_offset()) + "}\n";
    co_return json_response(req, beast_http::status::ok, std::move(body));
}

}  // namespace gafka::http
