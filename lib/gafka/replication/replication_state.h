#pragma once
// One broker's place in replication: leader or follower, the leader epoch it
// leads (or last saw its leader at), who its leader is, and, on a leader,
// which followers have fetched from it. Persisted in
// <data-dir>/replication.json (atomically replaced) so that the epoch never
// goes back across restarts and a leader keeps listing its replicas.
//
// The role comes from the command line (--role), except that a promotion
// (gafka-admin promote) turns a follower into a leader with a new epoch.
// Thread-safe: every call may come from any thread.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gafka/log/record.h"
#include "gafka/replication/isr_state.h"
#include "gafka/util/status.h"

namespace gafka::replication {

using log::epoch_t;

inline constexpr const char* replication_file = "replication.json";

struct replica_address {
    replica_id id = -1;  // -1: not known yet (a --leader address before its first answer)
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const replica_address&) const = default;
    std::string to_string() const;
};

struct replication_options {
    replica_id self = 1;
    bool follower = false;
    std::optional<replica_address> leader;  // with follower
    isr_config isr;
};

class replication_state {
public:
    static result<std::unique_ptr<replication_state>> open(const std::filesystem::path& data_dir,
                                                           replication_options options);

    replica_id self() const { return options_.self; }
    const isr_config& isr() const { return options_.isr; }
    bool is_leader() const { return leader_role_.load(); }
    epoch_t epoch() const { return epoch_.load(); }
    void set_self_address(std::string host, std::uint16_t port);
    replica_address self_address() const;

    // --- on a follower ---
    // The leader's address, with its id once it has answered.
    std::optional<replica_address> leader() const;
    // What the leader said about itself in its last answer: its id, epoch
    // and Kafka listener (nullopt: it has none). A newer epoch is persisted
    // (a later promotion must go past it); the Kafka address is not.
    status leader_answered(replica_id id, epoch_t epoch, std::optional<replica_address> kafka = std::nullopt);
    // The leader's Kafka listener (with its id), once the leader has said it.
    std::optional<replica_address> leader_kafka() const;

    // --- on a leader ---
    // A follower fetched: remember it (persisted the first time, or when its
    // address changes).
    status follower_fetched(const replica_address& a, std::int64_t now_ms);
    std::vector<replica_address> followers() const;
    // Followers that fetched within lag_max_ms: a partition created now
    // counts them in sync from the start.
    std::vector<replica_id> live_followers(std::int64_t now_ms) const;

    // Turns this follower into the leader at an epoch past every epoch it
    // has seen, persisted before it returns. Returns the new epoch; a broker
    // that already leads returns its epoch and changes nothing.
    result<epoch_t> promote();

private:
    explicit replication_state(std::filesystem::path dir, replication_options o)
        : dir_(std::move(dir)), options_(std::move(o)) {}
    status save_locked() const;

    std::filesystem::path dir_;
    replication_options options_;
    std::atomic<bool> leader_role_{true};
    std::atomic<epoch_t> epoch_{0};
    mutable std::mutex mu_;
    replica_address self_address_;
    std::optional<replica_address> leader_;
    std::optional<replica_address> leader_kafka_;
    std::map<replica_id, replica_address> followers_;
    std::map<replica_id, std::int64_t> last_fetch_ms_;
};

}  // namespace gafka::replication
