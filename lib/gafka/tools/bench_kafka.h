#pragma once
// gafka-bench produce|consume|e2e --protocol kafka: the same three
// benchmarks as over HTTP, through the broker's Kafka port with librdkafka
// as the client, printing the same JSON summary.
//   produce: --concurrency producer instances, each writing its partitions
//     (partitions_of_worker) in librdkafka's batches of up to --batch-size
//     records; latency = delivery report time - intended send time (with
//     --rate) or the time the record was handed to librdkafka.
//   consume: catch-up read from each partition's log start, filling the
//     topic first (untimed) when it holds fewer than --messages records;
//     latency = the time of each batch of up to --batch-size records handed
//     over by librdkafka (rd_kafka_consume_batch_queue).
//   e2e: one consumer assigned every partition at its end, connected before
//     the clock starts; senders stamp values with their intended send time;
//     latency = receipt time - stamp.
// Producers keep librdkafka's defaults (linger.ms 5): the figures are what a
// Kafka application with an untuned client gets.
#include <iosfwd>

#include "gafka/tools/bench_options.h"

namespace gafka::tools {

// Each prints one JSON summary line to `out`; returns an exit code.
int run_kafka_produce_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);
int run_kafka_consume_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);
int run_kafka_e2e_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
