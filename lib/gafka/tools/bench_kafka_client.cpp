#include "gafka/tools/bench_kafka_client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>

namespace gafka::tools {
namespace {

// Record batch v2 framing: the batch header and, per record, its length,
// attributes, deltas, key and header count (varints), generously.
constexpr std::int64_t batch_overhead = 61;
constexpr std::int64_t record_overhead = 32;
// The broker refuses a batch over 1048588 bytes; stay clear of it.
constexpr std::int64_t max_kafka_batch_bytes = 1'000'000;
// A consumer's fetch size per partition stays under librdkafka's
// fetch.max.bytes default (52428800).
constexpr std::int64_t max_kafka_fetch_bytes = 50'000'000;

// The bytes of `records` records of `size` bytes in one batch.
std::int64_t batch_bytes(std::int64_t records, std::int64_t size) {
    return batch_overhead + records * (size + record_overhead);
}

struct admin_event_closer {
    void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct queue_closer {
    void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};

// Creates `name` with `partitions`; an existing topic is not an error.
status create_topic(rd_kafka_t* rk, const std::string& name, std::int32_t partitions, int timeout_ms) {
    char err[256];
    auto* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, -1, err, sizeof err);
    if (!nt) return status::invalid_argument("topic '" + name + "': " + err);
    std::unique_ptr<rd_kafka_queue_t, queue_closer> q(rd_kafka_queue_new(rk));
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q.get());
    rd_kafka_NewTopic_destroy(nt);
    std::unique_ptr<rd_kafka_event_t, admin_event_closer> ev(rd_kafka_queue_poll(q.get(), timeout_ms + 1000));
    if (!ev) return status::unavailable("create topic '" + name + "': no answer from the broker");
    if (rd_kafka_event_error(ev.get()))
        return status::unavailable("create topic '" + name + "': " + rd_kafka_event_error_string(ev.get()));
    std::size_t n = 0;
    const auto* res = rd_kafka_event_CreateTopics_result(ev.get());
    const auto* const* topics = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    for (std::size_t i = 0; i < n; ++i) {
        auto code = rd_kafka_topic_result_error(topics[i]);
        if (code && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            const char* why = rd_kafka_topic_result_error_string(topics[i]);
            return status::invalid_argument("create topic '" + name + "': " + (why ? why : rd_kafka_err2str(code)));
        }
    }
    return status::ok_status();
}

}  // namespace

void rd_kafka_closer::operator()(rd_kafka_t* rk) const {
    if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER) rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

status set_conf(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
    char err[256];
    if (rd_kafka_conf_set(conf, name, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        return status::invalid_argument(std::string("librdkafka ") + name + "=" + value + ": " + err);
    return status::ok_status();
}

rd_kafka_conf_t* kafka_conf(const load_bench_options& opts, kafka_role role) {
    auto* conf = rd_kafka_conf_new();
    auto ms = std::to_string(opts.timeout.count());
    // Every value below is one librdkafka 2.0 accepts; a refusal is a bug here, seen in the first run.
    auto set = [&](const char* k, const std::string& v) { (void)set_conf(conf, k, v); };
    set("bootstrap.servers", opts.brokers);
    set("socket.timeout.ms", ms);
    set("log_level", "3");  // errors only: the summary stays the only output
    if (role == kafka_role::producer) {
        set("acks", opts.acks == "all" ? "all" : opts.acks);
        // librdkafka refuses idempotence without acks=all.
        set("enable.idempotence", opts.idempotence && opts.acks == "all" ? "true" : "false");
        set("request.timeout.ms", ms);
        set("batch.num.messages", std::to_string(opts.batch_size));
        set("batch.size", std::to_string(std::min(max_kafka_batch_bytes, batch_bytes(opts.batch_size, opts.size))));
    } else {
        // Up to --batch-size records a partition per fetch, as an HTTP
        // fetch of count=--batch-size (librdkafka's default is 1 MiB).
        set("max.partition.fetch.bytes",
            std::to_string(std::clamp<std::int64_t>(batch_bytes(opts.batch_size, opts.size), 1 << 20,
                                                    max_kafka_fetch_bytes)));
        set("group.id", "gafka-bench");
        set("enable.auto.commit", "false");
        set("enable.auto.offset.store", "false");
    }
    if (opts.mode == load_mode::e2e)
        for (auto [k, v] : e2e_latency_settings) set(k, v);
    for (const auto& o : opts.kafka_options) {
        auto eq = o.find('=');
        set(o.substr(0, eq).c_str(), o.substr(eq + 1));
    }
    return conf;
}

std::string e2e_settings_in_effect(const load_bench_options& opts) {
    std::string out;
    for (auto [k, v] : e2e_latency_settings) {
        std::string value = v;
        for (const auto& o : opts.kafka_options)  // the last -X of a key wins, as in kafka_conf
            if (o.starts_with(std::string(k) + "=")) value = o.substr(o.find('=') + 1);
        out += (out.empty() ? "" : ",") + std::string(k) + "=" + value;
    }
    return out;
}

status check_kafka_options(const std::vector<std::string>& options) {
    std::unique_ptr<rd_kafka_conf_t, void (*)(rd_kafka_conf_t*)> conf(rd_kafka_conf_new(), rd_kafka_conf_destroy);
    for (const auto& o : options) {
        auto eq = o.find('=');
        if (eq == std::string::npos || eq == 0)
            return status::invalid_argument("--kafka-option " + o + ": KEY=VALUE, please");
        if (auto s = set_conf(conf.get(), o.substr(0, eq).c_str(), o.substr(eq + 1)); !s.ok()) return s;
    }
    return status::ok_status();
}

result<kafka_handle> make_handle(rd_kafka_conf_t* conf, kafka_role role) {
    char err[512];
    auto* rk = rd_kafka_new(role == kafka_role::producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return status::invalid_argument(std::string("librdkafka: ") + err);
    }
    if (role == kafka_role::consumer) rd_kafka_poll_set_consumer(rk);
    return kafka_handle(rk);
}

result<bench_topic> kafka_prepare_topic(rd_kafka_t* rk, const load_bench_options& opts) {
    bench_topic t{opts.topic.empty() ? default_topic(opts.partitions) : opts.topic, 0};
    auto ms = static_cast<int>(opts.timeout.count());
    if (auto s = create_topic(rk, t.name, opts.partitions, ms); !s.ok()) return s;
    auto* rkt = rd_kafka_topic_new(rk, t.name.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    auto code = rd_kafka_metadata(rk, 0, rkt, &md, ms);
    rd_kafka_topic_destroy(rkt);
    if (code) return status::unavailable("metadata of '" + t.name + "': " + rd_kafka_err2str(code));
    if (md->topic_cnt == 1 && !md->topics[0].err) t.partitions = md->topics[0].partition_cnt;
    auto topic_err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    if (t.partitions <= 0) return status::unavailable("metadata of '" + t.name + "': " + rd_kafka_err2str(topic_err));
    return t;
}

result<std::vector<partition_range>> kafka_partition_ranges(rd_kafka_t* rk, const bench_topic& topic,
                                                            std::chrono::milliseconds timeout) {
    std::vector<partition_range> ranges(static_cast<std::size_t>(topic.partitions));
    for (std::int32_t p = 0; p < topic.partitions; ++p) {
        auto& r = ranges[static_cast<std::size_t>(p)];
        int64_t low = 0, high = 0;
        auto code = rd_kafka_query_watermark_offsets(rk, topic.name.c_str(), p, &low, &high,
                                                     static_cast<int>(timeout.count()));
        if (code)
            return status::unavailable("offsets of " + topic.name + "/" + std::to_string(p) + ": " +
                                       rd_kafka_err2str(code));
        r.start = low;
        r.end = high;
    }
    return ranges;
}

kafka_value::kafka_value(std::int64_t size) : bytes_(static_cast<std::size_t>(size), 'x') {
    for (std::size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = static_cast<char>('a' + i % 26);
}

void kafka_value::stamp(std::int64_t ns) {
    char buf[stamp_bytes + 1];
    std::snprintf(buf, sizeof buf, "%020lld ", static_cast<long long>(ns));
    bytes_.replace(0, static_cast<std::size_t>(stamp_bytes), buf, static_cast<std::size_t>(stamp_bytes));
}

}  // namespace gafka::tools
