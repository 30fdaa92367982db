#pragma once
// The naming rules of DESIGN.md section 5, in one place. A topic name is a
// directory name, so it can never be "." or "..", contain a slash, or reach
// outside the data dir.
#include <string_view>

#include "gafka/util/status.h"

namespace gafka::rules {

inline constexpr std::size_t max_topic_name = 255;
inline constexpr std::size_t max_consumer_id = 128;
inline constexpr std::size_t max_group_id = 255;
inline constexpr std::int32_t max_partitions = 100;
// topic_manager renames a topic's directory to this prefix before removing
// it, so no topic may be named with it.
inline constexpr std::string_view deleted_topic_prefix = ".deleted-";

// The internal topic a cluster keeps committed group offsets in
// (docs/cluster.md, "Group offsets"): created by the controller, never by
// clients, whose names may not start with "__".
inline constexpr std::string_view offsets_topic = "__consumer_offsets";
inline bool is_internal_topic(std::string_view name) { return name == offsets_topic; }

// A name clients may give a topic.
status check_topic_name(std::string_view name);
// A name a topic may have on a broker: a client's, or an internal one.
status check_stored_topic_name(std::string_view name);
status check_group_id(std::string_view id);
status check_consumer_id(std::string_view id);

}  // namespace gafka::rules
