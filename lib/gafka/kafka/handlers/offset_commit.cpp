// OffsetCommit (8): commits into the same offsets store as gafka's HTTP
// groups, so gafka-admin describe-group and /metrics show a Kafka group's
// offsets and lag. The member and generation are checked with the classic
// groups (generation -1 without a member: a plain commit, for a group
// without members). As over HTTP, an offset outside [log start, high
// watermark] is refused (OFFSET_OUT_OF_RANGE): a commit past the end would
// skip records once they exist.
#include "gafka/broker/fetch_path.h"
#include "gafka/kafka/handlers/groups_common.h"
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/offset_commit.h"
#include "gafka/util/clock.h"

namespace gafka::kafka::handlers {
namespace {

error_code commit_one(broker_context& broker, const std::string& group, const std::string& topic,
                      std::int32_t partition, std::int64_t offset) {
    auto t = broker.topics.find(topic);
    if (!t || partition < 0 || static_cast<std::size_t>(partition) >= t->partitions.size())
        return error_code::unknown_topic_or_partition;
    auto s = broker::check_commit_offset(*t->partitions[static_cast<std::size_t>(partition)], offset);
    if (s.ok()) s = broker.groups.commit(group, {topic, partition}, offset);
    return s.ok() ? error_code::none : from_status(s);
}

}  // namespace

handler_result offset_commit(const request& req, connection_context& conn) {
    const auto& b = req.body;
    std::string group(b.str("group_id"));
    auto member_check = conn.broker.kafka_groups->check_commit(group, std::string(b.str("member_id")),
                                                               b.i32("generation_id_or_member_epoch"),
                                                               util::steady_clock_ms());
    auto body = value::make(*messages::offset_commit.response);
    for (const auto& topic : b.array("topics")) {
        std::string name(topic.str("name"));
        auto& out = body.add("topics").set("name", name);
        for (const auto& p : topic.array("partitions")) {
            auto id = p.i32("partition_index");
            auto e = member_check != broker::group_error::none
                         ? from_group_error(member_check)
                         : commit_one(conn.broker, group, name, id, p.i64("committed_offset"));
            out.add("partitions").set("partition_index", id).set("error_code", code(e));
        }
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
