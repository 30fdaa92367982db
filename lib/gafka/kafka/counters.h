#pragma once
// The Kafka listener's counters for /metrics: requests by API key, and the
// error codes its answers carried (every non-zero error_code field of an
// answer counts once: a Produce refused for three partitions is three).
// Thread-safe (atomics): the connections of every io thread count here.
#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "gafka/kafka/errors.h"
#include "gafka/kafka/schema.h"

namespace gafka::kafka {

class value;

class counters {
public:
    // A request read and decoded; keys gafka does not know count as one.
    void request(api_key_t key);
    // The error codes `answer` (a response body) carries.
    void answered(const value& answer);
    void error(error_code e);

    // Requests of `key` so far; unknown_api: those of keys past the table.
    std::int64_t requests(api_key_t key) const;
    std::int64_t unknown_api_requests() const { return requests_.back().load(); }
    // (code, count) of every error code answered at least once, by code.
    std::vector<std::pair<std::int16_t, std::int64_t>> errors() const;

private:
    static constexpr std::size_t api_slots = 128;   // keys 0..127, then one for the rest
    static constexpr std::size_t error_slots = 256; // codes -1..254 (Kafka's end near 120)
    std::array<std::atomic<std::int64_t>, api_slots + 1> requests_{};
    std::array<std::atomic<std::int64_t>, error_slots> errors_{};
};

}  // namespace gafka::kafka
