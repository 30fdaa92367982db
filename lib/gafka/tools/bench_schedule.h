#pragma once
// The pure arithmetic of gafka-bench's load: when each record is meant to be
// sent (open loop), and which partitions each connection writes.
#include <cstdint>
#include <optional>
#include <vector>

namespace gafka::tools {

// Record i of `total` is meant to be sent `intended_ns(i)` after the start:
// i / rate seconds with a rate, so a slow answer delays the records behind it
// without moving their intended times (latency measured from them shows a
// stall instead of hiding it: no coordinated omission). Without a rate every
// record is due at once (closed loop: send as fast as acks come back).
class open_loop_schedule {
public:
    open_loop_schedule(std::int64_t total, std::optional<double> rate_per_sec);

    bool open_loop() const { return period_ns_ > 0; }
    std::int64_t total() const { return total_; }
    std::int64_t intended_ns(std::int64_t i) const;
    // How many records are due `elapsed_ns` after the start: the number of i
    // with intended_ns(i) <= elapsed_ns, at most total().
    std::int64_t due_by(std::int64_t elapsed_ns) const;

private:
    std::int64_t total_;
    double period_ns_;  // 0: closed loop
};

// The partitions connection `worker` of `workers` writes, in turn. With at
// least as many partitions as workers each partition has exactly one writer
// (so records keep their order within a partition); with more workers than
// partitions, worker w writes partition w % partitions.
std::vector<std::int32_t> partitions_of_worker(int worker, int workers, std::int32_t partitions);

// Splits `messages` over partitions holding `available[p]` records each:
// as evenly as the partitions allow. The sum is min(messages, sum(available)).
std::vector<std::int64_t> split_reads(std::int64_t messages, const std::vector<std::int64_t>& available);

}  // namespace gafka::tools
