#include "gafka/tools/bench_consume.h"

#include <charconv>
#include <numeric>
#include <ostream>
#include <thread>
#include <vector>

#include "gafka/tools/bench_http.h"
#include "gafka/tools/bench_load.h"
#include "gafka/tools/bench_produce.h"
#include "gafka/tools/bench_report.h"
#include "gafka/tools/bench_schedule.h"

namespace gafka::tools {
namespace {

struct read_plan {
    std::int32_t partition;
    std::int64_t offset;  // next to read
    std::int64_t left;    // records still to read
};

void fetcher(const load_bench_options& opts, const std::string& topic, std::vector<read_plan> plans,
             std::chrono::steady_clock::time_point start, std::atomic<std::int64_t>& done,
             std::vector<std::int64_t>& samples, first_failure& failure) {
    auto client = connect_worker(opts);
    if (!client.ok()) return failure.set(client.error().message());
    leader_links links(**client, opts.timeout);
    std::size_t open = plans.size();
    for (std::size_t turn = 0; open > 0 && !failure.failed(); ++turn) {
        auto& p = plans[turn % plans.size()];
        if (p.left == 0) continue;
        auto want = std::min<std::int64_t>(opts.batch_size, p.left);
        auto target = "/api/v1/consume?topic=" + topic + "&partition=" + std::to_string(p.partition) +
                      "&offset=" + std::to_string(p.offset) + "&count=" + std::to_string(want) + "&timeout=0ms";
        auto sent = ns_since(start);
        auto r = links.call(topic, p.partition, "GET", target);
        samples.push_back(ns_since(start) - sent);
        if (!r.ok()) return failure.set(r.error().message());
        auto where = topic + "/" + std::to_string(p.partition);
        if (r->status != 200) return failure.set(describe_reply("consume " + where, r->status, r->body));
        auto next = json_int_field(r->body, "next_offset", /*last=*/true);
        if (!next) return failure.set("consume " + where + ": no next_offset in the broker's answer");
        auto got = std::min(*next - p.offset, p.left);
        if (got <= 0)
            return failure.set("consume " + where + ": no records at offset " + std::to_string(p.offset) +
                               " although the topic described them");
        p.offset = *next;
        p.left -= got;
        if (p.left == 0) --open;
        done.fetch_add(got, std::memory_order_relaxed);
    }
}

}  // namespace

int run_consume_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    auto fail = [&](const std::string& m) {
        err << "gafka-bench: error: " << m << "\n";
        return 1;
    };
    auto client = connect_worker(opts);
    if (!client.ok()) {
        err << "gafka-bench: error: " << client.error().message() << "\n";
        return 2;
    }
    auto topic = prepare_topic(**client, opts);
    if (!topic.ok()) return fail(topic.error().message());
    auto ranges = partition_ranges(**client, topic->name);
    if (!ranges.ok()) return fail(ranges.error().message());
    std::vector<std::int64_t> available;
    for (const auto& r : *ranges) available.push_back(r.end - r.start);
    auto stored = std::accumulate(available.begin(), available.end(), std::int64_t{0});

    if (stored < opts.messages) {  // fill up first, untimed
        std::atomic<std::int64_t> acked{0};
        std::atomic<bool> stop{false};
        first_failure failure;
        send_job fill{*topic, open_loop_schedule(opts.messages - stored, std::nullopt), false,
                      std::chrono::steady_clock::now()};
        {
            progress_line progress(opts.progress, "filling", fill.schedule.total(), acked, err);
            run_senders(opts, fill, acked, nullptr, failure, stop);
        }
        if (failure.failed()) return fail(failure.message());
        ranges = partition_ranges(**client, topic->name);
        if (!ranges.ok()) return fail(ranges.error().message());
        available.clear();
        for (const auto& r : *ranges) available.push_back(r.end - r.start);
    }

    auto take = split_reads(opts.messages, available);
    auto workers = std::min<int>(opts.concurrency, topic->partitions);
    std::vector<std::vector<read_plan>> plans(static_cast<std::size_t>(workers));
    for (int w = 0; w < workers; ++w)
        for (auto p : partitions_of_worker(w, workers, topic->partitions)) {
            auto i = static_cast<std::size_t>(p);
            if (take[i] > 0) plans[static_cast<std::size_t>(w)].push_back({p, (*ranges)[i].start, take[i]});
        }

    load_result result;
    result.topic = topic->name;
    result.partitions = topic->partitions;
    std::atomic<std::int64_t> done{0};
    first_failure failure;
    std::vector<std::vector<std::int64_t>> samples(static_cast<std::size_t>(workers));
    {
        progress_line progress(opts.progress, "consume", opts.messages, done, err);
        auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (std::size_t w = 0; w < plans.size(); ++w)
            if (!plans[w].empty())
                threads.emplace_back([&, w] {
                    fetcher(opts, topic->name, plans[w], start, done, samples[w], failure);
                });
        for (auto& t : threads) t.join();
        result.seconds = static_cast<double>(ns_since(start)) / 1e9;
    }
    if (failure.failed()) return fail(failure.message());
    for (const auto& v : samples)
        for (auto s : v) result.latency.add_ns(s);
    result.messages = done.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

}  // namespace gafka::tools
