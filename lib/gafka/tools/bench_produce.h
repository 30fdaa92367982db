#pragma once
// gafka-bench produce: --concurrency connections send --messages records in
// batch produce requests (JSON bodies, up to --batch-size records each) to
// the partitions partitions_of_worker() gives them, as fast as acks come
// back or, with --rate, on an open-loop schedule.
#include <atomic>
#include <chrono>
#include <iosfwd>

#include "gafka/tools/bench_load.h"
#include "gafka/tools/bench_options.h"
#include "gafka/tools/bench_schedule.h"
#include "gafka/util/latency_stats.h"

namespace gafka::tools {

struct send_job {
    bench_topic topic;
    open_loop_schedule schedule;
    bool stamp = false;  // stamp each value with its intended (or actual) send time
    std::chrono::steady_clock::time_point start;
};

// Runs the senders of `job` until every record is acknowledged, `failure`
// is set, or `stop` turns true. Adds to `acked` as acks arrive and, when
// `latency` is given, one sample per record: ack time minus intended send
// time (open loop) or minus the request's send time (closed loop).
void run_senders(const load_bench_options& opts, const send_job& job, std::atomic<std::int64_t>& acked,
                 util::latency_stats* latency, first_failure& failure, const std::atomic<bool>& stop);

// Prints one JSON summary line to `out`; returns an exit code.
int run_produce_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
