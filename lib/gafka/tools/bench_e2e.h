#pragma once
// gafka-bench e2e: end-to-end latency in one process. Senders (as in
// produce, --rate for an open-loop schedule) stamp every value with its
// intended send time on the steady clock; one long-polling consumer thread
// per partition, started at the partitions' ends before the first send,
// takes latency = receive time - stamp for every record. The run ends when
// all --messages records have been received.
#include <iosfwd>

#include "gafka/tools/bench_options.h"

namespace gafka::tools {

// Prints one JSON summary line to `out`; returns an exit code.
int run_e2e_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
