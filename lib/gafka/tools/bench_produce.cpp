#include "gafka/tools/bench_produce.h"

#include <charconv>
#include <map>
#include <ostream>
#include <thread>
#include <vector>

#include "gafka/tools/bench_http.h"
#include "gafka/tools/bench_report.h"

namespace gafka::tools {
namespace {

void sender(const load_bench_options& opts, const send_job& job, int worker, std::atomic<std::int64_t>& next,
            std::atomic<std::int64_t>& acked, std::vector<std::int64_t>* samples, first_failure& failure,
            const std::atomic<bool>& stop) {
    auto client = connect_worker(opts);
    if (!client.ok()) return failure.set(client.error().message());
    leader_links links(**client, opts.timeout);
    const auto parts = partitions_of_worker(worker, opts.concurrency, job.topic.partitions);
    const record_payload payload(opts.size);
    const auto target = "/api/v1/produce?acks=" + opts.acks;
    // An idempotent producer per connection, numbering its records per partition.
    std::string producer;
    std::map<std::int32_t, std::int64_t> next_sequence;
    if (opts.idempotence) {
        auto r = (*client)->call("POST", "/api/v1/producers");
        auto id = r.ok() && r->status == 200 ? json_int_field(r->body, "producer_id") : std::nullopt;
        if (!id) return failure.set(r.ok() ? describe_reply("producer id", *r) : r.error().message());
        producer = "&producer_id=" + std::to_string(*id) + "&sequence=";
    }
    const auto& sched = job.schedule;
    std::vector<std::int64_t> stamps;
    std::string body;
    std::size_t turn = 0;
    while (!stop.load(std::memory_order_relaxed) && !failure.failed()) {
        auto first = next.load();
        if (first >= sched.total()) return;
        auto due = sched.due_by(ns_since(job.start));
        if (due <= first) {
            std::this_thread::sleep_until(job.start + std::chrono::nanoseconds(sched.intended_ns(first)));
            continue;
        }
        auto n = std::min<std::int64_t>(opts.batch_size, due - first);
        if (!next.compare_exchange_weak(first, first + n)) continue;
        auto part = parts[turn++ % parts.size()];
        auto sent = ns_since(job.start);
        stamps.resize(static_cast<std::size_t>(n));
        for (std::int64_t k = 0; k < n; ++k)
            stamps[static_cast<std::size_t>(k)] = sched.open_loop() ? sched.intended_ns(first + k) : sent;
        body.clear();
        payload.append_body(body, job.topic.name, part, n, job.stamp ? stamps.data() : nullptr);
        auto r = links.call(job.topic.name, part, "POST",
                            producer.empty() ? target : target + producer + std::to_string(next_sequence[part]), body,
                            "application/json");
        auto acked_at = ns_since(job.start);
        if (!r.ok()) return failure.set(r.error().message());
        if (r->status != 200) return failure.set(describe_reply("produce to " + job.topic.name, r->status, r->body));
        if (json_int_field(r->body, "count") != n)
            return failure.set("produce to " + job.topic.name + ": the broker acknowledged a different count than " +
                               std::to_string(n) + ": " + std::string(r->body.substr(0, 200)));
        next_sequence[part] += n;
        if (samples)
            for (auto s : stamps) samples->push_back(acked_at - s);
        acked.fetch_add(n, std::memory_order_relaxed);
    }
}

}  // namespace

void run_senders(const load_bench_options& opts, const send_job& job, std::atomic<std::int64_t>& acked,
                 util::latency_stats* latency, first_failure& failure, const std::atomic<bool>& stop) {
    std::atomic<std::int64_t> next{0};
    std::vector<std::vector<std::int64_t>> samples(static_cast<std::size_t>(opts.concurrency));
    std::vector<std::thread> threads;
    for (int w = 0; w < opts.concurrency; ++w) {
        auto* mine = latency ? &samples[static_cast<std::size_t>(w)] : nullptr;
        if (mine) mine->reserve(static_cast<std::size_t>(job.schedule.total() / opts.concurrency + opts.batch_size));
        threads.emplace_back([&, w, mine] { sender(opts, job, w, next, acked, mine, failure, stop); });
    }
    for (auto& t : threads) t.join();
    if (!latency) return;
    latency->reserve(static_cast<std::size_t>(job.schedule.total()));
    for (const auto& v : samples)
        for (auto s : v) latency->add_ns(s);
}

int run_produce_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    auto client = connect_worker(opts);
    if (!client.ok()) {
        err << "gafka-bench: error: " << client.error().message() << "\n";
        return 2;
    }
    auto topic = prepare_topic(**client, opts);
    if (!topic.ok()) {
        err << "gafka-bench: error: " << topic.error().message() << "\n";
        return 1;
    }
    load_result result;
    result.topic = topic->name;
    result.partitions = topic->partitions;
    send_job job{*topic, open_loop_schedule(opts.messages, opts.rate), false, std::chrono::steady_clock::now()};
    std::atomic<std::int64_t> acked{0};
    std::atomic<bool> stop{false};
    first_failure failure;
    {
        progress_line progress(opts.progress, "produce", opts.messages, acked, err);
        job.start = std::chrono::steady_clock::now();
        run_senders(opts, job, acked, &result.latency, failure, stop);
        result.seconds = static_cast<double>(ns_since(job.start)) / 1e9;
    }
    if (failure.failed()) {
        err << "gafka-bench: error: " << failure.message() << "\n";
        return 1;
    }
    result.messages = acked.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

}  // namespace gafka::tools
