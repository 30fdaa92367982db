#include "gafka/kafka/dispatch.h"

#include <array>

#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/api_versions.h"
#include "gafka/kafka/messages/create_partitions.h"
#include "gafka/kafka/messages/create_topics.h"
#include "gafka/kafka/messages/delete_topics.h"
#include "gafka/kafka/messages/fetch.h"
#include "gafka/kafka/messages/produce.h"
#include "gafka/kafka/messages/find_coordinator.h"
#include "gafka/kafka/messages/heartbeat.h"
#include "gafka/kafka/messages/init_producer_id.h"
#include "gafka/kafka/messages/join_group.h"
#include "gafka/kafka/messages/leave_group.h"
#include "gafka/kafka/messages/offset_commit.h"
#include "gafka/kafka/messages/offset_fetch.h"
#include "gafka/kafka/messages/sync_group.h"
#include "gafka/kafka/messages/describe_groups.h"
#include "gafka/kafka/messages/list_groups.h"
#include "gafka/kafka/messages/list_offsets.h"
#include "gafka/kafka/messages/metadata.h"
#include "gafka/kafka/messages/sasl_authenticate.h"
#include "gafka/kafka/messages/sasl_handshake.h"

namespace gafka::kafka {

namespace {

namespace m = messages;
namespace h = handlers;

constexpr std::array table{
    api_handler{&m::produce, m::produce.supported, &h::produce},
    api_handler{&m::fetch, m::fetch.supported, &h::fetch},
    api_handler{&m::list_offsets, m::list_offsets.supported, &h::list_offsets},
    api_handler{&m::metadata, m::metadata.supported, &h::metadata},
    api_handler{&m::offset_commit, m::offset_commit.supported, &h::offset_commit},
    api_handler{&m::offset_fetch, m::offset_fetch.supported, &h::offset_fetch},
    api_handler{&m::find_coordinator, m::find_coordinator.supported, &h::find_coordinator},
    api_handler{&m::join_group, m::join_group.supported, &h::join_group},
    api_handler{&m::heartbeat, m::heartbeat.supported, &h::heartbeat},
    api_handler{&m::leave_group, m::leave_group.supported, &h::leave_group},
    api_handler{&m::sync_group, m::sync_group.supported, &h::sync_group},
    api_handler{&m::describe_groups, m::describe_groups.supported, &h::describe_groups},
    api_handler{&m::list_groups, m::list_groups.supported, &h::list_groups},
    api_handler{&m::sasl_handshake, m::sasl_handshake.supported, &h::sasl_handshake, true},
    api_handler{&m::api_versions, m::api_versions.supported, &h::api_versions, true},
    api_handler{&m::create_topics, m::create_topics.supported, &h::create_topics},
    api_handler{&m::delete_topics, m::delete_topics.supported, &h::delete_topics},
    api_handler{&m::init_producer_id, m::init_producer_id.supported, &h::init_producer_id},
    api_handler{&m::sasl_authenticate, m::sasl_authenticate.supported, &h::sasl_authenticate, true},
    api_handler{&m::create_partitions, m::create_partitions.supported, &h::create_partitions},
};

constexpr bool well_formed() {
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& e = table[i];
        if (i > 0 && table[i - 1].api->key >= e.api->key) return false;
        if (e.served.empty() || !e.api->supported.contains(e.served.min) || !e.api->supported.contains(e.served.max))
            return false;
    }
    return true;
}
static_assert(well_formed(), "the dispatch table is in ascending api key order and serves only versions the codec has");

}  // namespace

std::span<const api_handler> dispatch_table() { return table; }

const api_handler* find_handler(api_key_t key) {
    for (const auto& e : table)
        if (e.api->key == key) return &e;
    return nullptr;
}

}  // namespace gafka::kafka
