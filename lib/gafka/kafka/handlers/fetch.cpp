// Fetch (api key 1), v4-11: each partition's batches from its fetch offset,
// as stored, through the core's fetch path (broker/fetch_path.h), named as
// ranges of segment files that the connection sends with sendfile (zero
// copy, kafka/answer.h), up to
// partition_max_bytes and max_bytes in all, except that the first batch of
// the first partition with data comes whole however large (so a consumer is
// never stuck behind a batch over its limits). With fewer than min_bytes to
// answer, the fetch long-polls until max_wait_ms through the core's
// fetch_wait, with the same --max-long-polls slots as HTTP. No transactions
// (last stable offset = high watermark, no aborted ones) and no fetch
// sessions (session id 0: every fetch is a full one).
#include "gafka/kafka/handlers/data_handlers.h"
#include "gafka/kafka/handlers/handlers.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "gafka/broker/fetch_path.h"
#include "gafka/kafka/messages/fetch.h"
#include "gafka/log/batch.h"

namespace gafka::kafka {
namespace {

namespace fields = messages::fetch_fields;

// One partition of the request and what was read for it.
struct partition_read {
    std::string topic;
    std::int32_t index = 0;
    std::int64_t fetch_offset = 0;
    std::int32_t max_bytes = 0;
    std::int32_t current_leader_epoch = -1;
    std::shared_ptr<broker::topic> t;  // keeps the partition alive
    broker::partition* p = nullptr;
    error_code error = error_code::none;
    log::file_range data;        // whole batches, in a segment file
    log::offset_t seen_end = 0;  // the high watermark when read: a long poll waits for more than this
};

// Reads `r` within `remaining` bytes of the answer; `first` while no
// partition before it had data (then the first batch comes whole).
void read_partition(broker::core& core, partition_read& r, std::int64_t& remaining, bool& first) {
    r.error = error_code::none;
    r.data = {};
    r.t = core.topics.find(r.topic);
    r.p = nullptr;
    if (!r.t || r.index < 0 || r.index >= static_cast<std::int32_t>(r.t->partitions.size())) {
        r.error = error_code::unknown_topic_or_partition;
        return;
    }
    r.p = r.t->partitions[static_cast<std::size_t>(r.index)].get();
    auto& p = *r.p;
    if (!p.is_leader()) {
        r.error = error_code::not_leader_or_follower;
        return;
    }
    if (r.current_leader_epoch >= 0 && r.current_leader_epoch != p.leader_epoch()) {
        r.error = r.current_leader_epoch < p.leader_epoch() ? error_code::fenced_leader_epoch
                                                             : error_code::unknown_leader_epoch;
        return;
    }
    if (auto s = broker::check_fetch_offset(p, r.fetch_offset); !s.ok()) {
        r.error = error_code::offset_out_of_range;
        return;
    }
    r.seen_end = std::max(r.fetch_offset, p.visible_end());
    auto budget = std::max<std::int64_t>(0, std::min<std::int64_t>(r.max_bytes, remaining));
    if (!first && budget == 0) return;
    auto read = broker::read_batch_range(p, r.fetch_offset, static_cast<std::size_t>(budget));
    if (!read.ok()) {
        r.error = from_status(read.error());
        return;
    }
    auto size = static_cast<std::int64_t>(read->length);
    if (!first && size > budget) return;  // only the first may exceed
    remaining -= size;
    if (size > 0) first = false;
    r.data = std::move(*read);
}

}  // namespace

boost::asio::awaitable<std::optional<answer>> handle_fetch(const request& req, broker::core& core) {
    const value& in = req.body;
    answer a{value::make(fields::response)};
    // No fetch sessions: a client asking for one it was never given is told so.
    if (in.i32("session_id") != 0) {
        a.body.set("error_code", code(error_code::fetch_session_id_not_found));
        co_return a;
    }
    if (in.i32("session_epoch") > 0) {
        a.body.set("error_code", code(error_code::invalid_fetch_session_epoch));
        co_return a;
    }
    std::vector<partition_read> reads;
    for (const value& t : in.array("topics"))
        for (const value& p : t.array("partitions")) {
            auto& r = reads.emplace_back();
            r.topic = t.str("topic");
            r.index = p.i32("partition");
            r.fetch_offset = p.i64("fetch_offset");
            r.max_bytes = p.i32("partition_max_bytes");
            r.current_leader_epoch = p.i32("current_leader_epoch");
        }

    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, in.i32("max_wait_ms")));
    broker::fetch_wait waiter(core, deadline);
    for (;;) {
        std::int64_t remaining = in.i32("max_bytes"), total = 0;
        bool first = true, errors = false;
        std::vector<broker::poll_target> targets;
        for (auto& r : reads) {
            read_partition(core, r, remaining, first);
            total += static_cast<std::int64_t>(r.data.length);
            errors = errors || r.error != error_code::none;
            if (r.error == error_code::none) targets.push_back({r.p, r.seen_end});
        }
        // An error is answered at once, as Kafka does.
        if (total >= in.i32("min_bytes") || errors || targets.empty()) break;
        if (!co_await waiter.wait(targets)) break;  // max_wait_ms passed, or over --max-long-polls
    }

    auto r = reads.begin();
    for (const value& t : in.array("topics")) {
        value& topic_out = a.body.add("responses").set("topic", std::string(t.str("topic")));
        for (std::size_t i = 0; i < t.array("partitions").size(); ++i, ++r) {
            value& out = topic_out.add("partitions")
                             .set("partition_index", r->index)
                             .set("error_code", code(r->error))
                             .set("high_watermark", -1)
                             .set("last_stable_offset", -1)
                             .set("log_start_offset", -1)
                             .set("preferred_read_replica", -1);
            out.at("aborted_transactions").items();  // empty, not null
            if (r->p) {
                auto hw = r->p->visible_end();
                out.set("high_watermark", hw).set("last_stable_offset", hw);
                out.set("log_start_offset", r->p->log().log_start_offset());
            }
            if (r->data.length == 0) {
                out.set_records("records", {});  // empty, never null
                continue;
            }
            r->t->records_out += r->data.records;
            r->t->bytes_out += static_cast<std::int64_t>(r->data.length);  // the batches as sent
            out.set_external_records("records", r->data.length, static_cast<std::int32_t>(a.files.size()));
            a.files.push_back(std::move(r->data));
        }
    }
    co_return a;
}

namespace handlers {

handler_result fetch(const request& req, connection_context& conn) { return handle_fetch(req, *conn.broker.core); }

}  // namespace handlers

}  // namespace gafka::kafka
