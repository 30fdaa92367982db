#include "gafka/broker/producer_ids.h"

#include <random>

namespace gafka::broker {

producer_id_t new_producer_id() {
    static thread_local std::mt19937_64 gen{std::random_device{}()};
    return static_cast<producer_id_t>(gen() & static_cast<std::uint64_t>(producer_id_limit - 1));
}

}  // namespace gafka::broker
