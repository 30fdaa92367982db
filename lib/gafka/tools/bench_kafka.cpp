#include "gafka/tools/bench_kafka.h"

#include <librdkafka/rdkafka.h>

#include <latch>
#include <memory>
#include <numeric>
#include <ostream>
#include <thread>
#include <variant>
#include <vector>

#include "gafka/tools/bench_kafka_client.h"
#include "gafka/tools/bench_report.h"
#include "gafka/tools/bench_schedule.h"

namespace gafka::tools {
namespace {

constexpr auto poll_wait = std::chrono::milliseconds(100);
// How long e2e waits for missing records once every send is acknowledged.
constexpr auto settle_time = std::chrono::seconds(30);

// What one producer's delivery reports update (its rd_kafka_t's opaque).
struct delivery_state {
    std::chrono::steady_clock::time_point start;
    std::atomic<std::int64_t>* acked;
    std::vector<std::int64_t>* samples;  // may be null
    first_failure* failure;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* st = static_cast<delivery_state*>(opaque);
    if (m->err) return st->failure->set(std::string("produce: ") + rd_kafka_err2str(m->err));
    if (st->samples) st->samples->push_back(ns_since(st->start) - reinterpret_cast<std::intptr_t>(m->_private));
    st->acked->fetch_add(1, std::memory_order_relaxed);
}

struct kafka_send_job {
    bench_topic topic;
    open_loop_schedule schedule;
    bool stamp = false;  // e2e: stamp each value with its intended send time
    std::chrono::steady_clock::time_point start;
};

// Serves a producer's delivery reports. In an open-loop produce, whose
// latencies are reported, a thread of its own polls as they come: the
// sender sleeps between records, and reports served only before each sleep
// were timed up to one send interval late (p50 1.09 ms at 1,000 msg/s,
// where e2e shows 0.42). Otherwise the sender serves them between records.
class delivery_poller {
public:
    delivery_poller(rd_kafka_t* h, bool own_thread, const first_failure& failure) : h_(h), failure_(failure) {
        if (own_thread)
            thread_ = std::jthread([this](std::stop_token stop) {
                while (!failure_.failed() && (!stop.stop_requested() || rd_kafka_outq_len(h_) > 0))
                    rd_kafka_poll(h_, 10);
            });
    }
    // Lets reports be served for up to `ms` (the thread's: a sleep).
    void serve(int ms) {
        if (!thread_.joinable()) rd_kafka_poll(h_, ms);
        else if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    // Returns once every record sent is answered, or on a failure.
    void drain() {
        if (thread_.joinable()) {
            thread_.request_stop();
            thread_.join();
        }
        while (!failure_.failed() && rd_kafka_outq_len(h_) > 0) rd_kafka_poll(h_, 50);
    }

private:
    rd_kafka_t* h_;
    const first_failure& failure_;
    std::jthread thread_;  // joined on destruction: before the handle it polls
};

// Worker `worker` of C sends records worker, worker + C, worker + 2C, ...
// of the schedule (a shared counter would let the first producer up take
// every record of a short run before the others exist), rotating over its
// partitions every --batch-size records.
void kafka_sender(const load_bench_options& opts, const kafka_send_job& job, int worker, std::latch& ready,
                  std::atomic<std::int64_t>& acked, std::vector<std::int64_t>* samples, first_failure& failure) {
    delivery_state st{job.start, &acked, samples, &failure};
    // Before the handle, so that it outlives it: an unstamped value is the
    // same for every record, and librdkafka points at it rather than copy
    // it (below).
    kafka_value value(opts.size);
    auto* conf = kafka_conf(opts, kafka_role::producer);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
    auto rk = make_handle(conf, kafka_role::producer);
    // The topic's metadata first: a record produced before it is known waits
    // for librdkafka's once-a-second scan (runs with 1 s stalls otherwise).
    rd_kafka_topic_t* rkt = nullptr;
    const rd_kafka_metadata_t* md = nullptr;
    auto code = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (rk.ok()) {
        rkt = rd_kafka_topic_new(rk->get(), job.topic.name.c_str(), nullptr);
        code = rd_kafka_metadata(rk->get(), 0, rkt, &md, static_cast<int>(opts.timeout.count()));
        if (!code) rd_kafka_metadata_destroy(md);
    }
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> topic(rkt, rd_kafka_topic_destroy);
    ready.arrive_and_wait();  // every producer knows the topic before the first record goes
    if (!rk.ok()) return failure.set(rk.error().message());
    if (code) return failure.set("metadata of '" + job.topic.name + "': " + rd_kafka_err2str(code));
    auto* h = rk->get();
    const auto parts = partitions_of_worker(worker, opts.concurrency, job.topic.partitions);
    const auto& sched = job.schedule;
    const auto mine = (sched.total() - worker + opts.concurrency - 1) / opts.concurrency;
    // A copy is 1 KiB of fresh heap a record: 48-67k page faults in a
    // 300,000-record run, a good part of the client's CPU on the README's VM.
    const int copy = job.stamp ? RD_KAFKA_MSG_F_COPY : 0;
    delivery_poller reports(h, sched.open_loop() && samples != nullptr, failure);
    for (std::int64_t j = 0; j < mine && !failure.failed();) {
        auto i = j * opts.concurrency + worker;
        if (sched.open_loop() && sched.intended_ns(i) > ns_since(job.start)) {
            reports.serve(0);
            std::this_thread::sleep_until(job.start + std::chrono::nanoseconds(sched.intended_ns(i)));
        }
        auto sent = sched.open_loop() ? sched.intended_ns(i) : ns_since(job.start);
        if (job.stamp) value.stamp(sent);
        auto part = parts[static_cast<std::size_t>(j / opts.batch_size) % parts.size()];
        code = rd_kafka_producev(h, RD_KAFKA_V_RKT(topic.get()), RD_KAFKA_V_PARTITION(part),
                                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                      RD_KAFKA_V_MSGFLAGS(copy),
                                      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(sent))),
                                      RD_KAFKA_V_END);
        if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            reports.serve(10);  // until there is room
            continue;
        }
        if (code) return failure.set(std::string("produce: ") + rd_kafka_err2str(code));
        if (++j % 64 == 0) reports.serve(0);
    }
    reports.drain();
}

// Like run_senders (bench_produce.h), through librdkafka producers.
void run_kafka_senders(const load_bench_options& opts, const kafka_send_job& job, std::atomic<std::int64_t>& acked,
                       util::latency_stats* latency, first_failure& failure) {
    std::latch ready(opts.concurrency);
    std::vector<std::vector<std::int64_t>> samples(static_cast<std::size_t>(opts.concurrency));
    std::vector<std::thread> threads;
    for (int w = 0; w < opts.concurrency; ++w) {
        auto* mine = latency ? &samples[static_cast<std::size_t>(w)] : nullptr;
        threads.emplace_back([&, w, mine] { kafka_sender(opts, job, w, ready, acked, mine, failure); });
    }
    for (auto& t : threads) t.join();
    if (!latency) return;
    for (const auto& v : samples)
        for (auto s : v) latency->add_ns(s);
}

int fail(std::ostream& err, const std::string& message, int code = 1) {
    err << "gafka-bench: error: " << message << "\n";
    return code;
}

// What every Kafka bench starts from: a producer handle for topic
// preparation and offsets, and the topic, created when missing.
struct kafka_setup {
    kafka_handle admin;
    bench_topic topic;
};

// The setup, or the exit code after saying why not on `err` (a bad --broker
// is a usage error, 2).
std::variant<kafka_setup, int> prepare(const load_bench_options& opts, std::ostream& err) {
    auto admin = make_handle(kafka_conf(opts, kafka_role::producer), kafka_role::producer);
    if (!admin.ok()) return fail(err, admin.error().message(), 2);
    auto topic = kafka_prepare_topic(admin->get(), opts);
    if (!topic.ok()) return fail(err, topic.error().message());
    return kafka_setup{std::move(*admin), std::move(*topic)};
}

// Assigns `parts` (partition, offset) of `topic` to consumer `rk`.
status assign(rd_kafka_t* rk, const std::string& topic, const std::vector<std::pair<std::int32_t, std::int64_t>>& parts) {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(parts.size()));
    for (auto [p, offset] : parts) rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = offset;
    auto code = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (code) return status::unavailable(std::string("assign: ") + rd_kafka_err2str(code));
    return status::ok_status();
}

}  // namespace

int run_kafka_produce_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    auto setup = prepare(opts, err);
    if (auto* code = std::get_if<int>(&setup)) return *code;
    const auto& topic = std::get<kafka_setup>(setup).topic;
    load_result result{topic.name, topic.partitions, 0, 0, {}, {}};
    kafka_send_job job{topic, open_loop_schedule(opts.messages, opts.rate), false, {}};
    std::atomic<std::int64_t> acked{0};
    first_failure failure;
    {
        progress_line progress(opts.progress, "produce", opts.messages, acked, err);
        job.start = std::chrono::steady_clock::now();
        run_kafka_senders(opts, job, acked, &result.latency, failure);
        result.seconds = static_cast<double>(ns_since(job.start)) / 1e9;
    }
    if (failure.failed()) return fail(err, failure.message());
    result.messages = acked.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

int run_kafka_consume_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    auto setup = prepare(opts, err);
    if (auto* code = std::get_if<int>(&setup)) return *code;
    auto& admin = std::get<kafka_setup>(setup).admin;
    const auto& topic = std::get<kafka_setup>(setup).topic;
    auto ranges = kafka_partition_ranges(admin.get(), topic, opts.timeout);
    if (!ranges.ok()) return fail(err, ranges.error().message());
    auto available = [&] {
        std::vector<std::int64_t> v;
        for (const auto& r : *ranges) v.push_back(r.end - r.start);
        return v;
    };
    auto stored = available();
    if (auto have = std::accumulate(stored.begin(), stored.end(), std::int64_t{0}); have < opts.messages) {
        std::atomic<std::int64_t> acked{0};
        first_failure failure;
        kafka_send_job fill{topic, open_loop_schedule(opts.messages - have, std::nullopt), false,
                            std::chrono::steady_clock::now()};
        {
            progress_line progress(opts.progress, "filling", fill.schedule.total(), acked, err);
            run_kafka_senders(opts, fill, acked, nullptr, failure);
        }
        if (failure.failed()) return fail(err, failure.message());
        ranges = kafka_partition_ranges(admin.get(), topic, opts.timeout);
        if (!ranges.ok()) return fail(err, ranges.error().message());
    }
    auto take = split_reads(opts.messages, available());
    auto workers = std::min<int>(opts.concurrency, topic.partitions);

    load_result result{topic.name, topic.partitions, 0, 0, {}, {}};
    std::atomic<std::int64_t> done{0};
    first_failure failure;
    std::vector<std::vector<std::int64_t>> samples(static_cast<std::size_t>(workers));
    auto reader = [&](int w, std::chrono::steady_clock::time_point start) {
        std::vector<std::pair<std::int32_t, std::int64_t>> parts;
        std::vector<std::int64_t> left(static_cast<std::size_t>(topic.partitions), 0);
        std::int64_t open = 0;
        for (auto p : partitions_of_worker(w, workers, topic.partitions)) {
            auto i = static_cast<std::size_t>(p);
            if (take[i] == 0) continue;
            parts.emplace_back(p, (*ranges)[i].start);
            left[i] = take[i];
            open += take[i];
        }
        if (parts.empty()) return;
        auto rk = make_handle(kafka_conf(opts, kafka_role::consumer), kafka_role::consumer);
        if (!rk.ok()) return failure.set(rk.error().message());
        if (auto s = assign(rk->get(), topic.name, parts); !s.ok()) return failure.set(s.message());
        auto* q = rd_kafka_queue_get_consumer(rk->get());
        std::vector<rd_kafka_message_t*> msgs(static_cast<std::size_t>(opts.batch_size));
        auto idle_since = ns_since(start);
        while (open > 0 && !failure.failed()) {
            auto t0 = ns_since(start);
            // No more than are left: a batch call waits for a full batch or its timeout.
            auto want = static_cast<std::size_t>(std::min<std::int64_t>(open, opts.batch_size));
            auto n = rd_kafka_consume_batch_queue(q, static_cast<int>(poll_wait.count()), msgs.data(), want);
            auto t1 = ns_since(start);
            std::int64_t got = 0;
            for (ssize_t i = 0; i < n; ++i) {
                auto* m = msgs[static_cast<std::size_t>(i)];
                if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    failure.set("consume " + topic.name + ": " + rd_kafka_message_errstr(m));
                else if (!m->err && left[static_cast<std::size_t>(m->partition)] > 0) {
                    --left[static_cast<std::size_t>(m->partition)];
                    ++got;
                }
                rd_kafka_message_destroy(m);
            }
            if (got > 0) {
                samples[static_cast<std::size_t>(w)].push_back(t1 - t0);
                open -= got;
                done.fetch_add(got, std::memory_order_relaxed);
                idle_since = t1;
            } else if (t1 - idle_since > std::chrono::nanoseconds(opts.timeout).count()) {
                failure.set("consume " + topic.name + ": no records for " + std::to_string(opts.timeout.count()) +
                            " ms although the topic described " + std::to_string(open) + " more");
            }
        }
        rd_kafka_queue_destroy(q);
    };
    {
        progress_line progress(opts.progress, "consume", opts.messages, done, err);
        auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int w = 0; w < workers; ++w) threads.emplace_back(reader, w, start);
        for (auto& t : threads) t.join();
        result.seconds = static_cast<double>(ns_since(start)) / 1e9;
    }
    if (failure.failed()) return fail(err, failure.message());
    for (const auto& v : samples)
        for (auto s : v) result.latency.add_ns(s);
    result.messages = done.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

int run_kafka_e2e_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err) {
    auto setup = prepare(opts, err);
    if (auto* code = std::get_if<int>(&setup)) return *code;
    auto& admin = std::get<kafka_setup>(setup).admin;
    const auto& topic = std::get<kafka_setup>(setup).topic;
    auto ranges = kafka_partition_ranges(admin.get(), topic, opts.timeout);
    if (!ranges.ok()) return fail(err, ranges.error().message());

    auto rk = make_handle(kafka_conf(opts, kafka_role::consumer), kafka_role::consumer);
    if (!rk.ok()) return fail(err, rk.error().message());
    std::vector<std::pair<std::int32_t, std::int64_t>> parts;
    for (std::int32_t p = 0; p < topic.partitions; ++p) parts.emplace_back(p, (*ranges)[static_cast<std::size_t>(p)].end);
    if (auto s = assign(rk->get(), topic.name, parts); !s.ok()) return fail(err, s.message());
    // Connected before the clock starts: a metadata round trip on the consumer's own handle.
    const rd_kafka_metadata_t* md = nullptr;
    if (auto code = rd_kafka_metadata(rk->get(), 0, nullptr, &md, static_cast<int>(opts.timeout.count())); code)
        return fail(err, std::string("metadata: ") + rd_kafka_err2str(code));
    rd_kafka_metadata_destroy(md);

    load_result result{topic.name, topic.partitions, 0, 0, {}, e2e_settings_in_effect(opts)};
    result.latency.reserve(static_cast<std::size_t>(opts.messages));
    std::atomic<std::int64_t> received{0};
    std::atomic<std::int64_t> sends_done_ns{-1};
    first_failure failure;
    auto start = std::chrono::steady_clock::now();
    // One record a call: a batch call would wait for a full batch or its timeout.
    auto receive = [&] {
        while (received.load() < opts.messages && !failure.failed()) {
            auto done_ns = sends_done_ns.load();
            if (done_ns >= 0 && ns_since(start) - done_ns > std::chrono::nanoseconds(settle_time).count())
                return failure.set(std::to_string(opts.messages - received.load()) + " of " +
                                   std::to_string(opts.messages) + " acknowledged records did not arrive within " +
                                   std::to_string(settle_time.count()) + " s");
            auto* m = rd_kafka_consumer_poll(rk->get(), static_cast<int>(poll_wait.count()));
            if (!m) continue;
            auto now = ns_since(start);
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                auto stamp = read_stamp(std::string_view(static_cast<const char*>(m->payload), m->len));
                if (!stamp)
                    failure.set("consume " + topic.name + ": a record without gafka-bench's stamp (is something "
                                "else writing to '" + topic.name + "'?)");
                else {
                    result.latency.add_ns(now - *stamp);
                    received.fetch_add(1);
                }
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                failure.set("consume " + topic.name + ": " + rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
        }
    };
    {
        progress_line progress(opts.progress, "e2e", opts.messages, received, err);
        std::thread consumer(receive);
        std::atomic<std::int64_t> acked{0};
        kafka_send_job job{topic, open_loop_schedule(opts.messages, opts.rate), true, start};
        run_kafka_senders(opts, job, acked, nullptr, failure);
        sends_done_ns.store(ns_since(start));
        consumer.join();
        result.seconds = static_cast<double>(ns_since(start)) / 1e9;
    }
    if (failure.failed()) return fail(err, failure.message());
    result.messages = received.load();
    out << summary_json(opts, result) << "\n";
    return 0;
}

}  // namespace gafka::tools
