#include "gafka/kafka/api_table.h"

#include <array>

#include "gafka/kafka/messages/api_versions.h"
#include "gafka/kafka/messages/create_partitions.h"
#include "gafka/kafka/messages/create_topics.h"
#include "gafka/kafka/messages/delete_topics.h"
#include "gafka/kafka/messages/describe_groups.h"
#include "gafka/kafka/messages/fetch.h"
#include "gafka/kafka/messages/find_coordinator.h"
#include "gafka/kafka/messages/heartbeat.h"
#include "gafka/kafka/messages/init_producer_id.h"
#include "gafka/kafka/messages/join_group.h"
#include "gafka/kafka/messages/leave_group.h"
#include "gafka/kafka/messages/list_groups.h"
#include "gafka/kafka/messages/list_offsets.h"
#include "gafka/kafka/messages/metadata.h"
#include "gafka/kafka/messages/offset_commit.h"
#include "gafka/kafka/messages/offset_fetch.h"
#include "gafka/kafka/messages/produce.h"
#include "gafka/kafka/messages/sasl_authenticate.h"
#include "gafka/kafka/messages/sasl_handshake.h"
#include "gafka/kafka/messages/sync_group.h"

namespace gafka::kafka {

namespace {

namespace m = messages;
constexpr std::array<const api_schema*, 20> apis{
    &m::produce,       &m::fetch,          &m::list_offsets, &m::metadata,       &m::offset_commit,
    &m::offset_fetch,  &m::find_coordinator, &m::join_group, &m::heartbeat,      &m::leave_group,
    &m::sync_group,    &m::describe_groups, &m::list_groups, &m::sasl_handshake, &m::api_versions,
    &m::create_topics, &m::delete_topics,  &m::init_producer_id, &m::sasl_authenticate, &m::create_partitions,
};

constexpr bool ascending() {
    for (std::size_t i = 1; i < apis.size(); ++i)
        if (apis[i - 1]->key >= apis[i]->key) return false;
    return true;
}
static_assert(ascending(), "served_apis() is in ascending api key order");
static_assert(m::produce.key == api_key::produce && m::fetch.key == api_key::fetch &&
              m::list_offsets.key == api_key::list_offsets && m::metadata.key == api_key::metadata &&
              m::offset_commit.key == api_key::offset_commit && m::offset_fetch.key == api_key::offset_fetch &&
              m::find_coordinator.key == api_key::find_coordinator && m::join_group.key == api_key::join_group &&
              m::heartbeat.key == api_key::heartbeat && m::leave_group.key == api_key::leave_group &&
              m::sync_group.key == api_key::sync_group && m::describe_groups.key == api_key::describe_groups &&
              m::list_groups.key == api_key::list_groups && m::sasl_handshake.key == api_key::sasl_handshake &&
              m::api_versions.key == api_key::api_versions && m::create_topics.key == api_key::create_topics &&
              m::delete_topics.key == api_key::delete_topics && m::init_producer_id.key == api_key::init_producer_id &&
              m::sasl_authenticate.key == api_key::sasl_authenticate &&
              m::create_partitions.key == api_key::create_partitions,
              "the api_key constants name the tables' keys");

}  // namespace

std::span<const api_schema* const> served_apis() { return apis; }

const api_schema* find_api(api_key_t key) {
    for (const api_schema* a : apis)
        if (a->key == key) return a;
    return nullptr;
}

}  // namespace gafka::kafka
