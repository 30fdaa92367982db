// POST /api/v1/produce: parse and check every record, pick partitions, append
// one batch per partition, answer once the batches are durable (acks=1) and,
// with acks=all, once every in-sync replica has them (the high watermark
// passed them).
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <map>
#include <random>

#include "gafka/client/partitioner.h"
#include "gafka/http/await_status.h"
#include "gafka/http/context.h"
#include "gafka/http/fetch.h"
#include "gafka/http/json_writer.h"
#include "gafka/http/long_poll.h"
#include "gafka/http/produce_request.h"
#include "gafka/http/query.h"
#include "gafka/log/batch.h"
#include "gafka/util/clock.h"

namespace gafka::http {
namespace asio = boost::asio;
namespace {

enum class acks_mode { none, leader, all };

std::optional<acks_mode> parse_acks(const std::optional<std::string>& v) {
    if (!v || *v == "all" || *v == "-1") return acks_mode::all;
    if (*v == "1") return acks_mode::leader;
    if (*v == "0") return acks_mode::none;
    return std::nullopt;
}

// The longest an acks=all produce waits for the in-sync replicas; a follower
// that stops fetching leaves the ISR after --replica-lag-max, well before.
constexpr std::chrono::seconds max_replication_wait{30};

api_error not_enough_replicas(const broker::partition& p, std::int32_t min_insync) {
    return {beast_http::status::service_unavailable, "not_enough_replicas",
            p.topic() + "/" + std::to_string(p.id()) + " has " + std::to_string(p.isr_size()) +
                " in-sync replica(s); acks=all needs --min-insync " + std::to_string(min_insync),
            {}};
}

// Waits until the high watermark reaches `through` (every in-sync replica
// has the batch); an error when the ISR shrinks below --min-insync first.
asio::awaitable<std::optional<api_error>> wait_replicated(broker::partition& p, log::offset_t through,
                                                          std::int32_t min_insync) {
    auto deadline = std::chrono::steady_clock::now() + max_replication_wait;
    for (;;) {
        if (p.visible_end() >= through) co_return std::nullopt;
        if (!p.enough_insync()) co_return not_enough_replicas(p, min_insync);
        if (!p.is_leader())
            co_return api_error::from_status(status(status_code::not_leader, "no longer the leader"));
        if (std::chrono::steady_clock::now() >= deadline)
            co_return api_error{beast_http::status::service_unavailable, "replication_timeout",
                                "the in-sync replicas did not confirm offset " + std::to_string(through - 1) +
                                    " in time",
                                {}};
        std::vector<poll_target> target{{&p, through - 1}};
        co_await wait_for_any(target, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
    }
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

api_error out_of_order_sequence(const status& s) {
    return {beast_http::status::conflict, "out_of_order_sequence", s.message(), {}};
}

}  // namespace

response handle_init_producer(const request& req, server_context&) {
    // Random, so ids from brokers that replaced each other never meet; below
    // 2^53 so that any JSON reader (jq included) keeps them exact.
    static thread_local std::mt19937_64 gen{std::random_device{}()};
    auto id = static_cast<std::int64_t>(gen() & ((std::uint64_t{1} << 53) - 1));
    json_writer out;
    out.w().StartObject();
    out.key("producer_id");
    out.w().Int64(id);
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

    auto topic = ctx.topics.find(pr.topic);
    if (!topic && (!ctx.auto_create_topics || ctx.topics.damaged(pr.topic)))
        co_return error_response(req, api_error::topic_not_served(ctx.topics, pr.topic));
    auto partitions = topic ? static_cast<std::int32_t>(topic->partitions.size()) : ctx.default_partitions;

    // Choose partitions; records keep their input order within a partition.
    std::vector<std::int32_t> chosen(pr.records.size());
    auto unkeyed = static_cast<std::int32_t>(ctx.round_robin++ % static_cast<std::uint64_t>(partitions));
    for (std::size_t i = 0; i < pr.records.size(); ++i) {
        const auto& r = pr.records[i];
        if (r.partition) {
            if (*r.partition >= partitions)
                co_return error_response(req, api_error::invalid("unknown_partition",
                                                                 "record " + std::to_string(i) + ": partition " +
                                                                     std::to_string(*r.partition) + " does not exist; '" +
                                                                     pr.topic + "' has " + std::to_string(partitions)));
            chosen[i] = *r.partition;
        } else if (r.record.key) {
            chosen[i] = client::partition_for_key(*r.record.key, partitions);
        } else {
            chosen[i] = unkeyed;
        }
    }
    if (!topic) {  // checked first, so a rejected request creates nothing either
        broker::topic_config config;
        config.partitions = ctx.default_partitions;
        auto created = ctx.topics.create(pr.topic, config);
        topic = created.ok() ? *created : ctx.topics.find(pr.topic);  // lost a race: someone else created it
        if (!topic) co_return error_response(req, api_error::from_status(created.error()));
        if (static_cast<std::int32_t>(topic->partitions.size()) < partitions)
            co_return error_response(req, api_error::topic_not_served(ctx.topics, pr.topic));
    }
    std::map<std::int32_t, std::vector<std::size_t>> by_partition;
    for (std::size_t i = 0; i < chosen.size(); ++i) by_partition[chosen[i]].push_back(i);
    if (idempotent && by_partition.size() > 1)
        co_return error_response(req, api_error::bad_request("an idempotent producer's request (producer_id) must "
                                                             "send every record to one partition"));
    auto min_insync = ctx.repl ? ctx.repl->isr().min_insync : 1;
    if (*acks == acks_mode::all)  // refused before anything is written
        for (const auto& [p, _] : by_partition)
            if (const auto& part = *topic->partitions[static_cast<std::size_t>(p)]; !part.enough_insync())
                co_return error_response(req, not_enough_replicas(part, min_insync));

    auto now = util::wall_clock_ms();
    std::vector<log::offset_t> offsets(pr.records.size());
    std::vector<std::pair<broker::partition*, log::offset_t>> to_wait;
    bool duplicate = false;
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
        auto& part = *topic->partitions[static_cast<std::size_t>(p)];
        auto appended = idempotent ? part.append(b.finish(0, 0, idempotent->producer_id, idempotent->sequence))
                                   : part.append(b.finish());
        if (!appended.ok())
            co_return error_response(req, appended.error().code() == status_code::conflict
                                              ? out_of_order_sequence(appended.error())
                                              : api_error::from_status(appended.error()));
        duplicate = appended->duplicate;
        for (std::size_t k = 0; k < indexes.size(); ++k)
            offsets[indexes[k]] = appended->base_offset + static_cast<log::offset_t>(k);
        to_wait.emplace_back(&part, appended->last_offset + 1);
    }
    if (!duplicate) {
        topic->records_in += static_cast<std::int64_t>(pr.records.size());
        std::int64_t payload = 0;
        for (const auto& r : pr.records)
            payload += static_cast<std::int64_t>(r.record.key.value_or("").size() + r.record.value.value_or("").size());
        topic->bytes_in += payload;
    }
    for (auto [part, through] : to_wait) {
        if (*acks == acks_mode::none) {
            part->when_durable(through, [](status) {});
            continue;
        }
        // Bindings are copied into the capture: clang 14 cannot capture them.
        if (auto s = co_await await_status([&, p = part, t = through](auto done) { p->when_durable(t, std::move(done)); });
            !s.ok())
            co_return error_response(req, api_error::from_status(s));
    }
    if (*acks == acks_mode::all)
        for (auto [part, through] : to_wait)
            if (auto e = co_await wait_replicated(*part, through, min_insync)) co_return error_response(req, *e);

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
        w.Int(chosen[0]);
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
            w.Int(chosen[i]);
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
