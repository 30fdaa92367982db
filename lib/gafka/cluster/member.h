#pragma once
// This broker as a member of a cluster coordinated through etcd
// (docs/cluster.md). It runs on its own thread and io_context, so etcd being
// slow or gone never stalls the threads that serve clients.
//
// Session (the broker's lease):
//   unregistered --grant lease, txn create_revision(brokers/<id>) == 0--> registered
//   registered --keepalive every TTL/3--> registered (valid until: the last
//       successful renewal's send time + its TTL)
//   registered --keepalive says the lease is gone--> unregistered (register again)
//   registered --stop()--> revoke the lease (its keys go at once)
// Role (controller election):
//   follower --txn create_revision(controller) == 0 succeeds--> controller,
//       epoch = the revision of that txn (the key's create revision)
//   controller --the lease's validity runs out (no renewal reached etcd in
//       time), the lease is gone, or the key changes or goes--> follower
//   follower --the controller key is deleted (watch)--> campaign again
// What etcd holds is mirrored by one range of the cluster's prefix and a
// watch from the revision after it; a compacted or broken watch reads again.
// When etcd is unreachable the broker keeps serving, reports it (view()),
// and changes no role but by the validity rule.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gafka/cluster/assignment.h"
#include "gafka/cluster/cluster_view.h"
#include "gafka/cluster/election.h"
#include "gafka/cluster/etcd_client.h"
#include "gafka/cluster/registration.h"
#include "gafka/cluster/replica_roles.h"

namespace gafka::cluster {

struct member_config {
    std::vector<util::host_port> endpoints;
    std::string name = "gafka";
    std::chrono::milliseconds session_timeout{6000};  // the lease's TTL (etcd rounds it up to whole seconds)
    broker_registration self;                         // id and advertised addresses
    std::int32_t replication_factor = 0;              // of topics created without one; 0: min(3, live brokers)
    bool unclean_leader_election = false;             // election.h
};

class member {
public:
    explicit member(member_config config);
    ~member();  // stop()s
    member(const member&) = delete;
    member& operator=(const member&) = delete;

    // Registers the broker and starts the session and the election. Blocks
    // up to about the session timeout. already_exists: another live broker
    // holds this id (refuse to start); unavailable: etcd could not be reached
    // (the member keeps trying in the background; the broker runs degraded).
    status start();
    // Steps down, revokes the lease (bounded wait) and joins the thread.
    void stop();

    // Thread-safe.
    cluster_view view() const;

    // The fence on acknowledgements (docs/cluster.md, "Fencing"): true while
    // this broker's lease is surely alive in etcd, with a margin, and the
    // partitions have taken their roles from a read of the cluster made
    // under that lease (roles_applied), so no role is from before an expiry.
    // A leader acknowledges no write when false: by the time etcd could have
    // expired the lease and the controller moved leadership, this broker has
    // stopped. Thread-safe, lock-free.
    bool may_acknowledge() const;
    // The partitions took their roles from a view with this read_under_lease.
    void roles_applied(lease_id read_under_lease) { roles_applied_ = read_under_lease; }
    // They have, at least once, from a read of etcd (0: never read).
    bool roles_read() const { return roles_applied_.load() != 0; }

    // A partition leader's in-sync set, to record in etcd when it differs
    // from the key's (election.h, with_isr): written by compare-and-swap on
    // the key's revision, so a change the controller made first wins and the
    // leader proposes again from the new key. Does not wait; thread-safe.
    void propose_isr(isr_proposal proposal);

    // Records a new topic in etcd when this broker is the controller:
    // assigns its replicas over the live brokers (`record`'s
    // replication_factor 0: the configured default) and writes the topic key
    // (with its config, which every replica creates its copy with) and the
    // partition keys in one txn guarded by the controller epoch. not_leader:
    // this broker is not the controller (or was deposed); invalid_argument:
    // the factor does not fit the live brokers; already_exists: etcd has the
    // topic; unavailable: etcd did not answer (in time). Blocks up to two
    // calls' deadlines; thread-safe.
    status create_topic(const std::string& topic, topic_record record);
    // Grows `topic` to `partitions` partitions in etcd when this broker is
    // the controller (member_alter.cpp): the new partitions' replicas continue the topic's round-robin over the live brokers at its
    // replication factor, written with the grown topic key in one txn
    // guarded by the controller epoch and the topic key's mod revision.
    // The member's view learns them from the watch. not_found: etcd has no
    // such topic; invalid_argument: `partitions` is not above its count (or
    // the factor does not fit the live brokers); conflict: the topic changed
    // meanwhile; not_leader, unavailable and blocking as create_topic.
    status add_partitions(const std::string& topic, std::int32_t partitions);
    // Preferred leader election (member_elect.cpp, election.h preferred_leader)
    // when this broker is the controller: each partition of `topic` (empty:
    // of every topic) whose first replica is live, in the ISR and not the
    // leader is led by it at the next leader epoch, each change one
    // compare-and-swap txn guarded by the controller epoch (a key changed
    // meanwhile is read again and decided anew). `elected` gets the changes
    // made, also when a later one fails. not_found: etcd has no such topic;
    // not_leader, unavailable and blocking as create_topic.
    status elect_preferred(const std::string& topic, std::vector<elected_leader>& elected);
    // Deletes `topic` from etcd when this broker is the controller
    // (member_delete.cpp): the topic key and every partition key of it in
    // one txn guarded by the controller epoch and the topic key's mod
    // revision (assignment.h delete_topic_txn). Every replica then drops
    // its copy when its view shows the topic gone (server/cluster_replicas).
    // invalid_argument: an internal topic; not_found: etcd has no such
    // topic; conflict: the topic changed meanwhile; not_leader, unavailable
    // and blocking as create_topic.
    status delete_topic(const std::string& topic);
    // True when `v` (from view()) mirrors a complete read of etcd, kept up
    // by the watch, made under the lease this broker holds now: only such
    // a view may delete a replica's copy. Thread-safe.
    bool view_is_current(const cluster_view& v) const {
        return v.read_under_lease != 0 && acknowledge_lease_.load() == v.read_under_lease;
    }

private:
    using clock = std::chrono::steady_clock;
    boost::asio::awaitable<status> register_once();
    boost::asio::awaitable<status> join();  // register_once, waiting out a previous incarnation's key
    boost::asio::awaitable<void> session_loop();
    boost::asio::awaitable<void> mirror_loop();
    boost::asio::awaitable<void> campaign();
    boost::asio::awaitable<void> leave();
    boost::asio::awaitable<status> record_topic(std::string topic, topic_record record);
    boost::asio::awaitable<void> write_isr(isr_proposal proposal);
    // The controller's failover pass (election.h) over every partition key,
    // each change written by CAS; one at a time, again when asked meanwhile.
    void elect_leaders();
    boost::asio::awaitable<void> election_pass();
    boost::asio::awaitable<status> record_partitions(std::string topic, std::int32_t partitions);
    // The internal offsets topic (member_offsets_topic.cpp): the controller
    // records it, one partition, when etcd lacks it, once --replication-
    // factor (else 3) brokers are live, or a session timeout after it took
    // office with those that are.
    void offsets_topic_took_office();
    void ensure_offsets_topic();
    boost::asio::awaitable<status> erase_topic(std::string topic);
    boost::asio::awaitable<status> record_preferred(std::string topic,
                                                    std::shared_ptr<std::vector<elected_leader>> elected);
    status not_controller() const;  // not_leader, naming the controller when known
    // A controller's txn (create, add partitions, delete) that failed: its
    // failure branch read the controller key and the topic key. Deposed
    // (another controller epoch): steps down and not_controller();
    // otherwise the topic's compare failed: `otherwise`.
    status failed_controller_txn(const txn_response& r, revision_t epoch, status otherwise);
    // Runs `work` on the member's thread and waits up to two renewal periods
    // (unavailable, saying `if_late`, when it has not ended by then).
    status run_bounded(boost::asio::awaitable<status> work, const std::string& if_late);
    void apply(const key_value& kv, bool deleted);
    // A topic key's change (topics_); false when `kv` is not a topic key.
    bool apply_topic(const key_value& kv, bool deleted);
    void publish_topics();  // topics_ into view_.topics, under mu_
    void step_down(const char* why);
    void set_etcd_up(bool up, const std::string& why);
    void publish();  // copies the state into view_
    boost::asio::awaitable<void> sleep(clock::duration d);

    member_config config_;
    cluster_keys keys_;
    std::chrono::milliseconds renew_every_;

    // Owned by the member's thread.
    lease_id lease_ = 0;
    bool registered_ = false;
    bool etcd_up_ = false;
    bool down_reported_ = false;  // "unreachable" was logged, "reachable again" not yet
    bool controller_ = false;
    bool leaving_ = false;             // stop() began: nothing registers or campaigns again
    clock::time_point valid_until_{};  // the lease is surely alive before this
    std::int32_t controller_id_ = -1;
    revision_t controller_epoch_ = 0;
    std::map<std::int32_t, broker_registration> brokers_;
    struct recorded_partition {
        partition_state state;
        revision_t mod_revision = 0;  // of its key, for compare-and-swap
    };
    std::map<topic_partition_ref, recorded_partition> partitions_;
    std::map<topic_partition_ref, revision_t> created_at_;  // each partition key's create revision
    std::map<std::string, topic_record> topics_;  // the topic keys, by name
    lease_id read_under_lease_ = 0;   // the lease held when the mirror last read the whole cluster
    bool elect_pending_ = false;      // a broker came or went, or a key changed, since the last pass
    bool electing_ = false;           // a pass is running
    bool elect_again_ = false;        // asked for while it ran
    std::set<topic_partition_ref> isr_writes_;  // proposals being written
    clock::time_point offsets_topic_after_{};  // a smaller cluster records it from then on
    bool offsets_topic_recording_ = false;
    etcd_watch* watch_ = nullptr;  // the mirror's open watch, to close when the session resets

    mutable std::mutex mu_;
    cluster_view view_;                     // guarded by mu_
    clock::time_point valid_until_view_{};  // guarded by mu_
    std::atomic<clock::rep> acknowledge_until_{0};  // may_acknowledge()'s deadline, in clock ticks
    std::atomic<lease_id> acknowledge_lease_{-1};   // ... and the lease the roles must come from
    std::atomic<lease_id> roles_applied_{0};

    std::thread thread_;
    std::atomic<bool> stopped_{false};
    // Last: destroyed first, with the coroutines it holds.
    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<etcd_client> etcd_;
    std::unique_ptr<boost::asio::steady_timer> registered_signal_;  // cancelled when registered_ becomes true
};

}  // namespace gafka::cluster
