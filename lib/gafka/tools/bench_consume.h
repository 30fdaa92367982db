#pragma once
// gafka-bench consume: catch-up reading. Reads --messages records from the
// log start of the topic's partitions, --batch-size per fetch, with
// min(--concurrency, partitions) connections, each owning whole partitions.
// A topic holding fewer records is first filled up (untimed) the way
// gafka-bench produce would. Records are counted by offsets (offsets are
// dense), not decoded, so the figure is the broker's and the transfer's.
#include <iosfwd>

#include "gafka/tools/bench_options.h"

namespace gafka::tools {

// Prints one JSON summary line to `out`; returns an exit code.
int run_consume_bench(const load_bench_options& opts, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
