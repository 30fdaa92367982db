// ListOffsets (2): -1 is the latest offset (the high watermark), -2 the
// earliest (the log start), both with timestamp -1 as Kafka answers them;
// anything else a time: the first record (in offset order) at least that
// new, through the log's offsets-for-time index, answered with its offset
// and its own timestamp; when none is, offset -1 and timestamp -1 (as Kafka
// answers; version 0, which has no timestamp: the high watermark).
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/list_offsets.h"

namespace gafka::kafka::handlers {
namespace {

constexpr std::int64_t latest = -1;
constexpr std::int64_t earliest = -2;
constexpr log::offset_t none_found = -1;

using match = log::partition_log::time_match;

result<match> lookup(const broker::partition& p, std::int64_t timestamp) {
    if (timestamp == latest) return match{p.visible_end(), -1};
    if (timestamp == earliest) return match{p.log().log_start_offset(), -1};
    if (timestamp < 0) return status::invalid_argument("timestamp " + std::to_string(timestamp));
    auto end = p.visible_end();
    auto found = p.log().record_for_time(timestamp, end);
    if (found.ok() && found->offset == end) return match{none_found, -1};
    return found;
}

}  // namespace

handler_result list_offsets(const request& req, connection_context& conn) {
    auto body = value::make(*messages::list_offsets.response);
    bool v0 = req.header.api_version == 0;
    for (const auto& wanted : req.body.array("topics")) {
        std::string name(wanted.str("name"));
        auto& topic_out = body.add("topics").set("name", name);
        auto t = conn.broker.topics.find(name);
        for (const auto& wp : wanted.array("partitions")) {
            auto id = wp.i32("partition_index");
            auto& out = topic_out.add("partitions").set("partition_index", id);
            if (!t || id < 0 || static_cast<std::size_t>(id) >= t->partitions.size()) {
                out.set("error_code", code(t || !conn.broker.topics.damaged(name) ? error_code::unknown_topic_or_partition
                                                                                  : error_code::kafka_storage_error));
                continue;
            }
            const auto& p = *t->partitions[static_cast<std::size_t>(id)];
            auto found = lookup(p, wp.i64("timestamp"));
            if (!found.ok()) {
                out.set("error_code", code(from_status(found.error())));
                continue;
            }
            if (v0) {
                auto at = found->offset == none_found ? p.visible_end() : found->offset;
                out.at("old_style_offsets").items().emplace_back(std::int64_t{at});
            } else {
                out.set("offset", found->offset).set("timestamp", found->timestamp);
            }
        }
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
