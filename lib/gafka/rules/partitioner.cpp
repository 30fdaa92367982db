#include "gafka/rules/partitioner.h"

#include "gafka/util/murmur2.h"

namespace gafka::rules {

partition_id partition_for_key(std::string_view key, std::int32_t partitions) {
    return util::to_positive(util::murmur2(key)) % partitions;
}

}  // namespace gafka::rules
