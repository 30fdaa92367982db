// POST /api/v1/produce: parse and check every record, build one batch per
// partition, and hand them to the core's produce path (broker/produce_path.h),
// which picks partitions, appends and waits for the acks asked for.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <algorithm>
#include <map>

#include "gafka/broker/produce_path.h"
#include "gafka/broker/producer_ids.h"
#include "gafka/http/context.h"
#include "gafka/http/fetch.h"
#include "gafka/http/json_writer.h"
#include "gafka/http/produce_request.h"
#include "gafka/http/query.h"
#include "gafka/log/batch.h"
#include "gafka/util/clock.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace {

using broker::acks_mode;

std::optional<acks_mode> parse_acks(const std::optional<std::string>& v) {
    if (!v || *v == "all" || *v == "-1") return acks_mode::all;
    if (*v == "1") return acks_mode::leader;
    if (*v == "0") return acks_mode::none;
    return std::nullopt;
}

// ?producer_id=P&sequence=S: a batch from an idempotent producer, whose
// records all go to one partition, the first of them numbered S.
struct idempotent_batch {
    std::int64_t producer_id = -1;
    std::int32_t sequence = -1;
};

std::optional<api_error> parse_idempotence(const target& t, std::optional<idempotent_batch>& out) {
    auto id = t.get("producer_id"), seq = t.get("sequence");
    if (!id && !seq) return std::nullopt;
    std::int64_t pid = id ? parse_int(*id).value_or(-1) : -1;
    std::int64_t first = seq ? parse_int(*seq).value_or(-1) : -1;
    if (pid < 0 || first < 0 || first > INT32_MAX)
        return api_error::bad_request(
            "producer_id and sequence go together, as non-negative integers (sequence below 2^31)");
    out = idempotent_batch{pid, static_cast<std::int32_t>(first)};
    return std::nullopt;
}

// A write refused or failed by the produce path, as the API reports it.
api_error write_error(const status& s) {
    if (s.code() == status_code::conflict)  // the partition log's sequence check
        return {beast_http::status::conflict, "out_of_order_sequence", s.message(), {}};
    if (s.code() == status_code::timed_out)
        return {beast_http::status::service_unavailable, "replication_timeout", s.message(), {}};
    return api_error::from_status(s);
}

}  // namespace

response handle_init_producer(const request& req, server_context&) {
    json_writer out;
    out.w().StartObject();
    out.key("producer_id");
    out.w().Int64(broker::new_producer_id());
    out.w().EndObject();
    return json_response(req, beast_http::status::ok, out.take());
}

asio::awaitable<response> handle_produce(const request& req, server_context& ctx) {
    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    auto acks = parse_acks(t->get("acks"));
    if (!acks) co_return error_response(req, api_error::bad_request("acks must be 0, 1 or all"));
    std::optional<idempotent_batch> idempotent;
    if (auto e = parse_idempotence(*t, idempotent)) co_return error_response(req, *e);
    auto content_type = std::string(req[beast_http::field::content_type]);
    bool ndjson = content_type.starts_with("application/x-ndjson");
    auto parsed = ndjson ? parse_produce_ndjson(req.body(), t->get("topic"))
                         : parse_produce_json(req.body(), t->get("topic"));
    if (parsed.error) co_return error_response(req, *parsed.error);
    auto& pr = *parsed.request;

    auto target = broker::find_produce_topic(ctx.core, pr.topic);
    if (!target.ok()) co_return error_response(req, api_error::topic_not_served(ctx.topics, pr.topic));

    // Records keep their input order within a partition.
    std::vector<broker::record_target> wanted(pr.records.size());
    for (std::size_t i = 0; i < pr.records.size(); ++i) wanted[i] = {pr.records[i].partition, pr.records[i].record.key};
    auto chosen = broker::choose_partitions(ctx.core, pr.topic, wanted, target->partitions);
    if (!chosen.ok()) co_return error_response(req, api_error::invalid("unknown_partition", chosen.error().message()));
    if (auto s = co_await broker::ensure_produce_topic(ctx.core, pr.topic, *target); !s.ok())
        co_return error_response(req, s.code() == status_code::not_found ? api_error::topic_not_served(ctx.topics, pr.topic)
                                                                         : api_error::from_status(s));
    auto& topic = target->found;
    std::map<std::int32_t, std::vector<std::size_t>> by_partition;
    for (std::size_t i = 0; i < chosen->size(); ++i) by_partition[(*chosen)[i]].push_back(i);
    if (idempotent && by_partition.size() > 1)
        co_return error_response(req, api_error::bad_request("an idempotent producer's request (producer_id) must "
                                                             "send every record to one partition"));

    auto now = util::wall_clock_ms();
    std::vector<broker::batch_write> writes;
    for (const auto& [p, indexes] : by_partition) {
        log::batch_builder b;
        std::size_t bytes = 0;
        for (auto i : indexes) {
            const auto& r = pr.records[i].record;
            bytes += log::encoded_record_size(r.key, r.value, r.headers);
        }
        b.reserve(bytes);
        for (auto i : indexes) {
            const auto& r = pr.records[i];
            b.add(r.has_timestamp ? r.record.timestamp : now, r.record.key, r.record.value, r.record.headers);
        }
        auto& target_partition = *topic->partitions[static_cast<std::size_t>(p)];
        if (auto e = partition_not_led_here(ctx, target_partition)) co_return error_response(req, *e);
        writes.push_back({&target_partition,
                          idempotent ? b.finish(0, 0, idempotent->producer_id, idempotent->sequence) : b.finish()});
    }
    auto s = co_await broker::write_batches(ctx.core, writes, *acks, broker::on_failure::end_all);
    bool duplicate = writes.back().appended.duplicate;  // one partition: an idempotent producer's retry
    // Counted once every batch is in the log, acknowledged or not; a retry
    // the log already had is not counted again.
    if (!duplicate && std::all_of(writes.begin(), writes.end(), [](const auto& w) { return w.written; })) {
        topic->records_in += static_cast<std::int64_t>(pr.records.size());
        std::int64_t payload = 0;
        for (const auto& r : pr.records)
            payload += static_cast<std::int64_t>(r.record.key.value_or("").size() + r.record.value.value_or("").size());
        topic->bytes_in += payload;
    }
    if (!s.ok()) co_return error_response(req, write_error(s));
    std::vector<log::offset_t> offsets(pr.records.size());
    auto written = writes.begin();  // in by_partition's order
    for (const auto& [p, indexes] : by_partition) {
        for (std::size_t j = 0; j < indexes.size(); ++j)
            offsets[indexes[j]] = written->appended.base_offset + static_cast<log::offset_t>(j);
        ++written;
    }

    json_writer out;
    auto& w = out.w();
    w.StartObject();
    out.key("topic");
    out.str(pr.topic);
    if (duplicate) {  // a retry the log already had: these are its first answer's offsets
        out.key("duplicate");
        w.Bool(true);
    }
    if (pr.single) {
        out.key("partition");
        w.Int((*chosen)[0]);
        out.key("offset");
        w.Int64(offsets[0]);
    } else {
        out.key("count");
        w.Uint64(pr.records.size());
        out.key("offsets");
        w.StartArray();
        for (std::size_t i = 0; i < offsets.size(); ++i) {
            w.StartObject();
            out.key("partition");
            w.Int((*chosen)[i]);
            out.key("offset");
            w.Int64(offsets[i]);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    co_return json_response(req, beast_http::status::ok, out.take());
}

}  // namespace gafka::http
