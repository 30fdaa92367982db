// OffsetCommit (8): commits into the same offsets store as gafka's HTTP
// groups, so gafka-admin describe-group and /metrics show a Kafka group's
// offsets and lag. The member and generation are checked with the classic
// groups (generation -1 without a member: a plain commit, for a group
// without members). As over HTTP, an offset outside [log start, high
// watermark] is refused (OFFSET_OUT_OF_RANGE): a commit past the end would
// skip records once they exist. In a cluster only the groups' coordinator
// commits (NOT_COORDINATOR elsewhere), and answers once the commit is on
// every in-sync replica of the offsets partition.
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
    auto refused = coordinator_error(conn.broker);
    if (refused == error_code::none)
        refused = from_group_error(conn.broker.kafka_groups->check_commit(group, std::string(b.str("member_id")),
                                                                          b.i32("generation_id_or_member_epoch"),
                                                                          util::steady_clock_ms(),
                                                                          group_instance_id_of(b)));
    auto body = value::make(*messages::offset_commit.response);
    std::vector<std::pair<std::size_t, std::size_t>> committed;  // (topic, partition) answers of appended commits
    for (const auto& topic : b.array("topics")) {
        std::string name(topic.str("name"));
        auto& out = body.add("topics").set("name", name);
        for (const auto& p : topic.array("partitions")) {
            auto id = p.i32("partition_index");
            auto e = refused != error_code::none ? refused
                                                 : commit_one(conn.broker, group, name, id, p.i64("committed_offset"));
            out.add("partitions").set("partition_index", id).set("error_code", code(e));
            if (e == error_code::none)
                committed.emplace_back(body.at("topics").items().size() - 1, out.at("partitions").items().size() - 1);
        }
    }
    // In a cluster a commit is answered once every in-sync replica of the
    // offsets partition has it (acks=all).
    if (conn.broker.offsets.replicated() && !committed.empty()) {
        auto through = conn.broker.offsets.log_end();
        auto s = co_await conn.broker.offsets.wait_committed(through);
        if (!s.ok())
            for (auto [t, p] : committed)
                body.at("topics").items()[t].at("partitions").items()[p].set("error_code", code(from_status(s)));
    }
    co_return body;
}

}  // namespace gafka::kafka::handlers
