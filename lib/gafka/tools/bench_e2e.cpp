#include "gafka/tools/bench_e2e.h"

#include <latch>
#include <ostream>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/tools/bench_http.h"
#include "gafka/tools/bench_load.h"
#include "gafka/tools/bench_produce.h"
#include "gafka/tools/bench_report.h"

namespace gafka::tools {
namespace {

// How long the consumers wait for the missing records once every send has
// been acknowledged, before calling them lost.
constexpr auto settle_time = std::chrono::seconds(30);
constexpr auto poll_wait = std::chrono::milliseconds(500);

struct e2e_state {
    std::chrono::steady_clock::time_point start;
    std::atomic<std::int64_t> received{0};
    std::atomic<std::int64_t> sends_done_ns{-1};  // when the last send was acknowledged
    std::int64_t total = 0;
    first_failure failure;
};

void consumer(const load_bench_options& opts, const std::string& topic, std::int32_t partition, std::int64_t offset,
              e2e_state& st, std::latch& ready, std::latch& go, std::vector<std::int64_t>& samples) {
    auto client = connect_worker(opts, poll_wait);
    if (!client.ok()) {
        st.failure.set(client.error().message());
        ready.count_down();
        return;
    }
    leader_links links(**client, opts.timeout + poll_wait);
    auto where = topic + "/" + std::to_string(partition);
    auto fetch = [&](std::chrono::milliseconds wait) {
        auto target = "/api/v1/consume?topic=" + topic + "&partition=" + std::to_string(partition) +
                      "&offset=" + std::to_string(offset) + "&count=10000&timeout=" + std::to_string(wait.count()) +
                      "ms";
        return links.call(topic, partition, "GET", target);
    };
    // A first fetch that waits for nothing: connected and routed before the clock starts.
    auto first = fetch(std::chrono::milliseconds(0));
    ready.count_down();
    go.wait();  // st.start is set
    if (!first.ok()) return st.failure.set(first.error().message());
    while (st.received.load() < st.total && !st.failure.failed()) {
        auto done_ns = st.sends_done_ns.load();
        if (done_ns >= 0 && ns_since(st.start) - done_ns > std::chrono::nanoseconds(settle_time).count())
            return st.failure.set(std::to_string(st.total - st.received.load()) + " of " + std::to_string(st.total) +
                                  " acknowledged records did not arrive within " +
                                  std::to_string(settle_time.count()) + " s");
        auto r = fetch(poll_wait);
        auto now = ns_since(st.start);
        if (!r.ok()) return st.failure.set(r.error().message());
        if (r->status != 200) return st.failure.set(describe_reply("consume " + where, r->status, r->body));
        rapidjson::Document d;
        d.Parse(r->body.data(), r->body.size());
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("records") || !d["records"].IsArray() ||
            !d.HasMember("next_offset") || !d["next_offset"].IsInt64())
            return st.failure.set("consume " + where + ": malformed answer from the broker");
        std::int64_t n = 0;
        for (const auto& rec : d["records"].GetArray()) {
            std::optional<std::int64_t> stamp;
            if (rec.IsObject() && rec.HasMember("value") && rec["value"].IsString())
                stamp = read_stamp(std::string_view(rec["value"].GetString(), rec["value"].GetStringLength()));
            if (!stamp)
                return st.failure.set("consume " + where + ": a record without gafka-bench's stamp (is something "
                                      "else writing to '" + topic + "'?)");
            samples.push_back(now - *stamp);
            ++n;
        }
        offset = d["next_offset"].GetInt64();
        st.received.fetch_add(n);
    }
}

}  // namespace

int run_e2e_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
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

    e2e_state st;
    st.total = opts.messages;
    auto parts = static_cast<std::size_t>(topic->partitions);
    std::vector<std::vector<std::int64_t>> samples(parts);
    std::latch ready(static_cast<std::ptrdiff_t>(parts));
    std::latch go(1);
    std::vector<std::thread> consumers;
    load_result result;
    result.topic = topic->name;
    result.partitions = topic->partitions;
    {
        progress_line progress(opts.progress, "e2e", opts.messages, st.received, err);
        for (std::size_t p = 0; p < parts; ++p) {
            samples[p].reserve(static_cast<std::size_t>(opts.messages / topic->partitions + 16));
            consumers.emplace_back([&, p] {
                consumer(opts, topic->name, static_cast<std::int32_t>(p), (*ranges)[p].end, st, ready, go, samples[p]);
            });
        }
        ready.wait();
        st.start = std::chrono::steady_clock::now();
        go.count_down();
        std::atomic<std::int64_t> acked{0};
        std::atomic<bool> stop{false};
        send_job job{*topic, open_loop_schedule(opts.messages, opts.rate), true, st.start};
        if (!st.failure.failed()) run_senders(opts, job, acked, nullptr, st.failure, stop);
        st.sends_done_ns.store(ns_since(st.start));
        for (auto& t : consumers) t.join();
        result.seconds = static_cast<double>(ns_since(st.start)) / 1e9;
    }
    if (st.failure.failed()) return fail(st.failure.message());
    for (const auto& v : samples)
        for (auto s : v) result.latency.add_ns(s);
    result.messages = st.received.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

}  // namespace gafka::tools
