#pragma once
// Consumer groups: membership, heartbeats, round-robin assignment under a
// generation number, and committed offsets.
//
// A member joins by group_id + consumer_id on its first group fetch or
// heartbeat, naming the topic it reads. Every join, leave or missed session
// starts a rebalance: the partitions of every subscribed topic are dealt
// over the members subscribed to it (members sorted by id), round-robin
// (partition p to member p mod n) or, if the group's first member asked for
// it, by range (Kafka's RangeAssignor: contiguous runs, the first n % m
// members one partition more), and the generation goes up by one. A fetch or commit for a partition the
// member does not own, or with an older generation, is a conflict (409).
//
// A partition that moves while its old owner holds an uncommitted delivered
// batch is "revoking": the new owner does not read it until the old owner
// fetches again, commits or leaves (its batch is then committed, or not), or
// until the old owner's session timeout has passed. Without this barrier a
// rebalance would hand the new owner records the old one already wrote.
//
// Sessions and fencing (static membership, as Kafka's group.instance.id):
// a `session` names the client process acting as a member (empty: not
// said). A group consume or heartbeat with a session the member has not seen
// takes the member over at once, keeping its partitions and generation (no
// rebalance): a process restarted after kill -9 goes on where the old one
// stopped, and the old one's uncommitted batch is delivered again. The
// replaced session is fenced: every later call from it (consume, heartbeat,
// touch, commit, leave) is refused with status_code::fenced and changes
// nothing, so two processes started with one consumer id never both read.
// Calls without a session (plain HTTP clients) are never fenced and never
// take a member over.
//
// Committed offsets are kept in memory and written through `persist` (the
// broker's log-structured offsets log, replayed with restore() on start).
// Deleting a topic deletes every group's offsets of it (remove_topic), so a
// new topic of the same name is read from its start, as in Kafka.
// Thread-safe: one mutex; no I/O happens under it except through `persist`.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/log/record.h"
#include "gafka/util/status.h"

namespace gafka::broker {

using generation_t = std::int32_t;

enum class assignment_strategy { round_robin, range };
const char* to_string(assignment_strategy s);
std::optional<assignment_strategy> parse_assignment_strategy(std::string_view name);
// The partitions of one topic dealt over its readers (sorted ids): the
// owner of partition p is result[p].
std::vector<std::string> deal(assignment_strategy s, std::int32_t partitions, const std::vector<std::string>& readers);

struct topic_partition {
    std::string topic;
    std::int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct group_member_view {
    std::string consumer_id;
    std::int64_t last_heartbeat_ms = 0;
    std::int64_t session_timeout_ms = 0;
    std::vector<topic_partition> assignment;
};

struct group_view {
    std::string group_id;
    generation_t generation = 0;
    assignment_strategy strategy = assignment_strategy::round_robin;
    std::vector<group_member_view> members;
    std::map<topic_partition, log::offset_t> committed;
};

// The member's view after a join or heartbeat.
struct membership {
    generation_t generation = 0;
    std::vector<topic_partition> assignment;  // of every topic the member reads
    bool rebalanced = false;                  // this call started a rebalance
};

class group_coordinator {
public:
    // Tells the number of partitions of a topic (0: unknown topic).
    using partition_counter = std::function<std::int32_t(const std::string& topic)>;
    // Makes a commit (offset -1: a deletion) durable; called under the
    // coordinator's lock, so the log holds commits in the order they apply.
    using persister = std::function<status(const std::string& group, const topic_partition&, log::offset_t)>;

    static constexpr std::int64_t default_session_timeout_ms = 10'000;
    static constexpr std::int64_t min_session_timeout_ms = 1'000;
    static constexpr std::int64_t max_session_timeout_ms = 300'000;

    group_coordinator(partition_counter partitions, persister persist);
    // Tells whether a group has members of the other protocol (Kafka's
    // classic groups, classic_groups.h): a group id is served by one
    // protocol at a time, so heartbeat() then refuses with a conflict. Set
    // once, before the broker serves.
    void set_in_use_elsewhere(std::function<bool(const std::string& group)> check) {
        in_use_elsewhere_ = std::move(check);
    }

    // Registers or refreshes a member; `topic` (may be empty) is added to
    // what it reads. session_timeout_ms <= 0 keeps the current one. With
    // `fetching`, the member is about to read its partitions: until
    // remember_delivered, losing one of them makes it a hand-over.
    // `strategy`, when given, is set by the group's first member; a member
    // asking for another one while the group has members is a conflict.
    // `session` (see above) takes the member over when it is new to it, and
    // is refused (fenced) when the member replaced it.
    result<membership> heartbeat(const std::string& group, const std::string& consumer, const std::string& topic,
                                 std::int64_t session_timeout_ms, std::int64_t now_ms, bool fetching = false,
                                 std::optional<assignment_strategy> strategy = std::nullopt,
                                 const std::string& session = {});
    status leave(const std::string& group, const std::string& consumer, std::int64_t now_ms,
                 const std::string& session = {});
    // Keeps a member alive while its fetch waits; the current generation, or
    // nothing when the member is gone or `session` is fenced.
    std::optional<generation_t> touch(const std::string& group, const std::string& consumer, std::int64_t now_ms,
                                      const std::string& session = {});
    // Removes members whose session ran out; returns how many.
    int expire(std::int64_t now_ms);

    // Whether `consumer` may read or commit `tp` now (generation < 0: not
    // checked); fenced when `session` was replaced.
    status check_owner(const std::string& group, const std::string& consumer, generation_t generation,
                       const topic_partition& tp, const std::string& session = {}) const;
    // Refused (not_found) when tp's topic or partition does not exist.
    status commit(const std::string& group, const topic_partition& tp, log::offset_t offset);
    std::optional<log::offset_t> committed(const std::string& group, const topic_partition& tp) const;
    // Replays a commit read back from the offsets log at start.
    void restore(const std::string& group, const topic_partition& tp, log::offset_t offset);
    // Sets committed offsets without a member (admin reset); refused while
    // the group has members.
    status reset(const std::string& group, const std::map<topic_partition, log::offset_t>& offsets);
    status remove_group(const std::string& group);
    // Forgets every group (members and offsets; nothing persisted): in a
    // cluster, when this broker stops or starts coordinating (offsets_store).
    void clear();
    // Forgets a deleted topic, after the partition counter stopped knowing
    // it: every group's committed offsets of it (a deletion is persisted for
    // each), members' ownership, hand-overs, subscriptions and delivered
    // batches of it; a group that read it rebalances. Nothing of the old
    // topic then reaches a new one of the same name.
    status remove_topic(const std::string& topic, std::int64_t now_ms);
    // Goes up each time `topic` is removed. A group fetch takes it before it
    // looks the topic up and hands it to remember_delivered, which so drops
    // a batch of a topic deleted while it was being read.
    std::uint64_t topic_incarnation(const std::string& topic) const;

    std::optional<group_view> describe(const std::string& group) const;
    std::vector<group_view> list() const;

    // Offsets delivered by a member's last fetch, committed when it fetches
    // again (the previous batch counts as processed). `session` names the
    // client process that received them (empty: not said). `next_offsets`
    // are of one topic, read while its topic_incarnation was `incarnation`;
    // if it was removed since, they are dropped. Fenced, and nothing
    // remembered, when `session` was replaced meanwhile: the batch must then
    // not be handed out.
    status remember_delivered(const std::string& group, const std::string& consumer,
                              std::map<topic_partition, log::offset_t> next_offsets, const std::string& session = {},
                              std::uint64_t incarnation = 0);
    // Commits the member's last delivered batch (for partitions it owns or is
    // handing over) and ends its hand-overs. Returns the first commit error.
    // A fetch from another session than the one the batch went to (a member
    // id reused by a process restarted after kill -9) commits nothing: that
    // process never saw the batch, so it is delivered again. Fenced, and
    // nothing committed, from a replaced session.
    status commit_delivered(const std::string& group, const std::string& consumer, const std::string& session = {});
    // Whether `tp` is still being handed over by its previous owner.
    bool revoking(const std::string& group, const topic_partition& tp, std::int64_t now_ms);

private:
    struct member {
        std::int64_t last_heartbeat_ms = 0;
        std::int64_t session_timeout_ms = default_session_timeout_ms;
        std::set<std::string> topics;
        std::map<topic_partition, log::offset_t> delivered;
        std::string delivered_session;  // who received `delivered`
        bool fetching = false;
        std::string session;              // the process acting as the member ("" : not said)
        std::deque<std::string> fenced;   // sessions it replaced, oldest first, at most max_fenced
    };
    static constexpr std::size_t max_fenced = 8;
    struct hand_over {
        std::string from;
        std::int64_t since_ms = 0;
    };
    struct group {
        generation_t generation = 0;
        assignment_strategy strategy = assignment_strategy::round_robin;
        std::map<std::string, member> members;
        std::map<topic_partition, std::string> owners;
        std::map<topic_partition, hand_over> revoking;
        std::map<topic_partition, log::offset_t> committed;
    };
    void rebalance_locked(group& g, std::int64_t now_ms);
    // Whether `session` is one the member replaced.
    static bool is_fenced(const member& m, const std::string& session);
    static status fenced_status(const std::string& group_id, const std::string& consumer);
    // A session new to the member becomes its own and fences the one before.
    static void take_over(const std::string& group_id, const std::string& consumer, member& m,
                          const std::string& session);
    std::vector<topic_partition> assignment_of(const group& g, const std::string& consumer) const;
    group_view view_locked(const std::string& id, const group& g) const;

    partition_counter partitions_;
    persister persist_;
    std::function<bool(const std::string&)> in_use_elsewhere_;
    mutable std::mutex mu_;
    std::map<std::string, group> groups_;
    std::map<std::string, std::uint64_t> incarnations_;  // by topic; absent: 0
};

}  // namespace gafka::broker
