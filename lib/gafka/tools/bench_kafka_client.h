#pragma once
// What gafka-bench's Kafka modes share: librdkafka handles (the reference
// Kafka client, through its C API) configured from the load options, the
// topic they run against, its offsets, and the record values they write.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gafka/tools/bench_load.h"
#include "gafka/tools/bench_options.h"
#include "gafka/util/status.h"

struct rd_kafka_s;
struct rd_kafka_conf_s;

namespace gafka::tools {

struct rd_kafka_closer {
    void operator()(rd_kafka_s* rk) const;
};
// Owns an rd_kafka_t; destroying it closes its connections (a consumer is
// closed first).
using kafka_handle = std::unique_ptr<rd_kafka_s, rd_kafka_closer>;

enum class kafka_role { producer, consumer };

// A librdkafka configuration from `opts`: bootstrap.servers = --broker,
// request timeouts = --timeout; a producer also gets acks = --acks,
// idempotence unless --no-idempotence (or --acks other than all, which
// librdkafka refuses it with), batches of at most --batch-size records
// (and under the broker's 1 MiB batch limit);
// a consumer reads by assignment (group "gafka-bench", nothing committed)
// up to --batch-size records a partition per fetch (at least librdkafka's
// 1 MiB default).
// e2e (a latency bench) first sets e2e_latency_settings.
// Then each --kafka-option KEY=VALUE, in order (checked beforehand by
// check_kafka_options). The caller adds to it and hands it to make_handle().
rd_kafka_conf_s* kafka_conf(const load_bench_options& opts, kafka_role role);
// What e2e sets, as a latency-minded Kafka user does and gafka-bench's
// HTTP client does by itself (each record sent at once, TCP_NODELAY):
// linger.ms=0 (librdkafka's default is 5) and socket.nagle.disable=true
// (librdkafka's default leaves Nagle on, which holds a small request back
// until the one before is acknowledged).
inline constexpr std::pair<const char*, const char*> e2e_latency_settings[] = {
    {"linger.ms", "0"}, {"socket.nagle.disable", "true"}};
// Those settings as "KEY=VALUE,KEY=VALUE" with --kafka-option's overrides
// applied: what e2e's summary names.
std::string e2e_settings_in_effect(const load_bench_options& opts);
// Each of `options` is KEY=VALUE and a setting librdkafka takes; else which
// one is not, with librdkafka's reason.
status check_kafka_options(const std::vector<std::string>& options);
result<kafka_handle> make_handle(rd_kafka_conf_s* conf, kafka_role role);
// Sets one property, or says which one the client refused.
status set_conf(rd_kafka_conf_s* conf, const char* name, const std::string& value);

// The topic of `opts` (--topic, else default_topic()), created through
// CreateTopics with --partitions when it does not exist; an existing topic
// keeps its own partition count (from Metadata).
result<bench_topic> kafka_prepare_topic(rd_kafka_s* rk, const load_bench_options& opts);

// Log start and high watermark of each partition, from ListOffsets.
result<std::vector<partition_range>> kafka_partition_ranges(rd_kafka_s* rk, const bench_topic& topic,
                                                            std::chrono::milliseconds timeout);

// A record value of --size bytes: the filler record_payload writes, its
// first stamp_bytes overwritten by a stamp (20 digits and a space) when
// stamp() is called.
class kafka_value {
public:
    explicit kafka_value(std::int64_t size);
    void stamp(std::int64_t ns);
    const char* data() const { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }

private:
    std::string bytes_;
};

}  // namespace gafka::tools
