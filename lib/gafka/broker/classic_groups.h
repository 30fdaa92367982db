#pragma once
// Consumer groups whose members assign partitions themselves: Kafka's
// classic group protocol, which kcat -G, librdkafka and kafkajs run
// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup). The broker only keeps
// membership and generations; the leader member runs the assignor (range,
// roundrobin, cooperative-sticky: the broker never reads the assignments)
// and hands the result to the others through sync.
//
// States, as in Kafka's GroupCoordinator: empty -> preparing (a join or a
// leave starts a rebalance; every member must join again, within the
// longest rebalance timeout, or is dropped) -> completing (the generation
// went up, the leader got every member's metadata; the others wait in
// sync) -> stable (the leader's sync delivered the assignments). A member
// silent for its session timeout is dropped and starts a rebalance.
//
// Static members (KIP-345, JoinGroup v5's group_instance_id): a member
// that names an instance id gets its member id at once, and a process that
// joins again under that instance id with no member id (a restart, or a
// second process with the same identity) takes the member's place: the
// old member id is fenced (Kafka 82 on its next call), and a stable group
// whose protocol the newcomer still speaks does not rebalance, so the
// newcomer syncs to the old member's assignment. A static member leaves
// by its session timeout (librdkafka sends no LeaveGroup for one).
//
// join() and sync() only register; join_done() and sync_done() tell the
// answer once there is one, so a protocol layer waits by polling them
// (bounded by the timeouts). Committed offsets are not kept here but in the
// group_coordinator (one offsets store for every group, whatever protocol
// its members speak); check_commit() says whether a member may commit. A
// group id is served by one protocol at a time: `in_use_elsewhere` tells
// whether the group has members of the other protocol.
// Thread-safe: one mutex, no I/O.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gafka::broker {

enum class group_error {
    none,
    unknown_member,         // Kafka 25
    illegal_generation,     // Kafka 22
    rebalance_in_progress,  // Kafka 27
    member_id_required,     // Kafka 79: join again with the member id given
    inconsistent_protocol,  // Kafka 23: no protocol in common, or the group is another protocol's
    invalid_session_timeout,  // Kafka 26
    fenced_instance_id,     // Kafka 82: another member id holds this static member's instance id now
};
const char* to_string(group_error e);

struct group_protocol {
    std::string name;      // the assignor: "range", "roundrobin", "cooperative-sticky", ...
    std::string metadata;  // opaque to the broker
};

struct join_request {
    std::string group;
    std::string member_id;  // empty: a new member
    std::string client_id;
    std::string client_host;  // as Kafka shows it: "/127.0.0.1"
    std::int64_t session_timeout_ms = 10'000;
    std::int64_t rebalance_timeout_ms = 60'000;
    std::string protocol_type;  // "consumer"
    std::vector<group_protocol> protocols;
    // JoinGroup v4 and later: a new member first gets its id with
    // member_id_required and must join again with it.
    bool require_known_member_id = false;
    // JoinGroup v5 and later: a static member's instance id; empty for a
    // dynamic member.
    std::string group_instance_id;
};

struct join_answer {
    group_error error = group_error::none;
    std::int32_t generation = -1;
    std::string protocol_name;
    std::string leader;
    std::string member_id;
    // For the leader only: every member's id and metadata for the chosen protocol.
    std::vector<std::pair<std::string, std::string>> members;
    std::map<std::string, std::string> instances;  // the static ones among them: member id -> instance id
};

struct sync_answer {
    group_error error = group_error::none;
    std::string assignment;  // opaque bytes the leader gave for this member
};

// A member as DescribeGroups shows it.
struct classic_member_view {
    std::string member_id;
    std::string instance_id;  // a static member's; empty for a dynamic one
    std::string client_id;
    std::string client_host;
    std::string metadata;    // what it joined with for the group's protocol
    std::string assignment;  // what the leader gave it (empty before the sync)
    bool operator==(const classic_member_view&) const = default;
};

struct classic_group_view {
    std::string state;  // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable"
    std::int32_t generation = 0;
    std::string protocol_type;  // "consumer"
    std::string protocol_name;
    std::string leader;
    std::vector<classic_member_view> members;  // first joined first
    std::string group_id;
};

class classic_groups {
public:
    static constexpr std::int64_t min_session_timeout_ms = 1'000;
    static constexpr std::int64_t max_session_timeout_ms = 300'000;

    explicit classic_groups(std::function<bool(const std::string& group)> in_use_elsewhere = {});

    // Registers a join. An answer at once when the join is refused, a new
    // member must learn its id first, or a static member took its old id's
    // place in a stable group (its sync gets that member's assignment);
    // nullopt when it waits for the
    // rebalance: poll join_done with the member id in `member_id` (set here
    // for a new member).
    std::optional<join_answer> join(join_request req, std::string& member_id, std::int64_t now_ms);
    // The join's answer once the rebalance completed (or the member was
    // dropped: unknown_member); nullopt while it still waits. Counts as a
    // sign of life. The answer is the generation the join completed,
    // even if another member's join has started the next rebalance before
    // this one asked (Kafka answers every join as the generation completes;
    // the member then finds the new rebalance in its sync or heartbeat).
    // `instance_id` (a static member's; empty otherwise): a member replaced
    // meanwhile gets fenced_instance_id, as in every call below.
    std::optional<join_answer> join_done(const std::string& group, const std::string& member_id, std::int64_t now_ms,
                                         const std::string& instance_id = {});

    // The leader's sync carries everyone's assignment; the others' none.
    group_error sync(const std::string& group, const std::string& member_id, std::int32_t generation,
                     const std::map<std::string, std::string>& assignments, std::int64_t now_ms,
                     const std::string& instance_id = {});
    std::optional<sync_answer> sync_done(const std::string& group, const std::string& member_id,
                                         std::int32_t generation, std::int64_t now_ms,
                                         const std::string& instance_id = {});

    group_error heartbeat(const std::string& group, const std::string& member_id, std::int32_t generation,
                          std::int64_t now_ms, const std::string& instance_id = {});
    // A static member may be named by its instance id alone (no member id).
    group_error leave(const std::string& group, const std::string& member_id, std::int64_t now_ms,
                      const std::string& instance_id = {});
    // Whether an offset commit with this member and generation is accepted:
    // generation -1 with no member is a plain commit, for a group without
    // members only.
    group_error check_commit(const std::string& group, const std::string& member_id, std::int32_t generation,
                             std::int64_t now_ms, const std::string& instance_id = {});

    bool has_members(const std::string& group) const;
    // The groups that have members, sorted by id.
    std::vector<classic_group_view> list() const;
    std::optional<classic_group_view> describe(const std::string& group) const;
    // Forgets every group: in a cluster, when this broker stops or starts
    // coordinating (members join the new coordinator, as in Kafka).
    void clear();
    // Drops members whose session ran out (their groups rebalance).
    void expire(std::int64_t now_ms);

private:
    enum class state { empty, preparing, completing, stable };
    struct member {
        std::string client_id;
        std::string client_host;
        std::int64_t session_timeout_ms = 10'000;
        std::int64_t rebalance_timeout_ms = 60'000;
        std::vector<group_protocol> protocols;
        std::int64_t last_heard_ms = 0;
        bool joined = false;               // joined in the rebalance under way
        // Its join's answer, from the generation's completion until join_done collects it.
        std::optional<join_answer> answer;
        std::optional<std::string> assignment;
        std::string instance_id;  // a static member's; empty for a dynamic one
    };
    struct group {
        state st = state::empty;
        std::int32_t generation = 0;
        std::string protocol_type;
        std::string protocol_name;
        std::string leader;
        std::map<std::string, member> members;
        std::vector<std::string> join_order;  // member ids, first joined first
        std::map<std::string, std::int64_t> pending_ids;  // handed out with member_id_required, by when
        std::map<std::string, std::string> instances;     // static members: instance id -> member id
        std::int64_t rebalance_deadline_ms = 0;
    };

    void start_rebalance_locked(group& g, std::int64_t now_ms);
    // The member takes what its join says; the join counts as a sign of life.
    static void take_join(member& m, join_request& req, std::int64_t now_ms);
    // The member joins the rebalance under way, or starts one.
    void join_rebalance_locked(const std::string& group_id, group& g, member& m, std::int64_t now_ms);
    void try_complete_locked(const std::string& id, group& g, std::int64_t now_ms);
    // Forgets the member (and its instance id); no rebalance.
    static void erase_member_locked(group& g, const std::string& member_id);
    void remove_member_locked(group& g, const std::string& member_id, std::int64_t now_ms);
    // A static member's join with no member id while its instance id has
    // one: a new id takes the old one's place. An answer at once when the
    // group stays stable.
    std::optional<join_answer> replace_static_locked(const std::string& group_id, group& g, join_request& req,
                                                     std::string& member_id, std::int64_t now_ms);
    // Whether `instance_id` now belongs to another member id than `member_id`.
    static bool fenced_locked(const group* g, const std::string& member_id, const std::string& instance_id);
    static classic_group_view view_locked(const std::string& group_id, const group& g);
    void expire_locked(group& g, std::int64_t now_ms);
    // The group and its member, after the group dropped members whose
    // session ran out; the call counts as the member's sign of life. A null
    // member (and group) when unknown.
    std::pair<group*, member*> heard_from_locked(const std::string& group_id, const std::string& member_id,
                                                 std::int64_t now_ms);
    static bool supports(const member& m, const std::string& protocol);
    join_answer answer_locked(const group& g, const std::string& member_id) const;
    std::string new_member_id(const std::string& client_id);

    std::function<bool(const std::string&)> in_use_elsewhere_;
    mutable std::mutex mu_;
    std::map<std::string, group> groups_;
    std::uint64_t next_member_ = 0;
};

}  // namespace gafka::broker
