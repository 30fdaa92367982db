#pragma once
// What gafka-bench's load modes share: the topic they run against, the
// record values they write, the JSON bodies that carry them, and the first
// failure of any worker thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/client/broker_client.h"
#include "gafka/tools/bench_options.h"
#include "gafka/util/status.h"

namespace gafka::tools {

struct bench_topic {
    std::string name;
    std::int32_t partitions = 0;
};

// The topic of `opts` (--topic, else default_topic()), created with
// --partitions when it does not exist; an existing topic keeps its own
// partition count.
result<bench_topic> prepare_topic(client::broker_client& c, const load_bench_options& opts);

struct partition_range {
    std::int64_t start = 0;  // log start offset
    std::int64_t end = 0;    // high watermark: one past the last readable record
};
// Per partition, from GET /api/v1/topics/{name}.
result<std::vector<partition_range>> partition_ranges(client::broker_client& c, const std::string& topic);

// A client of its own for a worker thread (each holds one keep-alive connection).
result<std::unique_ptr<client::broker_client>> connect_worker(const load_bench_options& opts,
                                                              std::chrono::milliseconds extra_timeout = {});

// Record values of --size bytes: printable filler, or, stamped, the
// nanoseconds of their intended send time as 20 digits and a space followed
// by the filler (e2e reads the stamp back).
class record_payload {
public:
    explicit record_payload(std::int64_t size);
    // Appends {"topic":T,"records":[{"partition":P,"value":V},...]} with `n`
    // records; with `stamps`, record k's value begins with stamps[k].
    void append_body(std::string& body, std::string_view topic, std::int32_t partition, std::int64_t n,
                     const std::int64_t* stamps) const;

private:
    std::string filler_;
};

// The stamp at the start of a stamped value; nullopt for any other value.
std::optional<std::int64_t> read_stamp(std::string_view value);

// The integer after `"key":` in a JSON answer, without parsing it: the first
// occurrence, or with `last` the last one (a top-level field that follows
// the records, whose quotes inside values are escaped).
std::optional<std::int64_t> json_int_field(std::string_view body, std::string_view key, bool last = false);

// The first error any worker hit; workers poll failed() and stop.
class first_failure {
public:
    void set(std::string message);
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    std::string message() const;

private:
    std::atomic<bool> failed_{false};
    mutable std::mutex mu_;
    std::string message_;
};

// Nanoseconds since `start` on the steady clock.
inline std::int64_t ns_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}

// "what: HTTP 404: ..." for a reply that is not a 200.
std::string describe_reply(const std::string& what, const client::http_reply& reply);
std::string describe_reply(const std::string& what, unsigned status, std::string_view body);

}  // namespace gafka::tools
