#pragma once
// The topics of one broker's data dir: creates, opens, lists and deletes
// them. Layout (DESIGN.md section 4):
//   <data-dir>/meta.json                  broker id, format version
//   <data-dir>/topics/<topic>/topic.json  partitions, retention, created time, compression,
//                                         cluster incarnation
//   <data-dir>/topics/<topic>/<p>/        one partition_log per partition
// Thread-safe. Topics are handed out as shared_ptr so a request in flight
// keeps a deleted topic's logs open until it finishes. A topic object is
// never changed once handed out: adding partitions replaces it with a new
// one that shares the old partitions (a request in flight keeps the count
// it started with).
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gafka/broker/flush_policy.h"
#include "gafka/broker/partition.h"
#include "gafka/log/compression.h"
#include "gafka/util/file.h"

namespace gafka::replication {
class replication_state;
}

namespace gafka::broker {

struct topic_config {
    std::int32_t partitions = 1;
    std::int64_t retention_bytes = -1;  // per partition; -1: no limit
    std::int64_t retention_ms = -1;     // -1: keep forever
    std::int64_t created_ms = 0;
    log::compression_type compression = log::compression_type::producer;  // Kafka's compression.type
    // In a cluster, the life of the topic in etcd this copy belongs to (the
    // create revision of its partition-0 key; cluster/replica_roles.h):
    // 0 made outside a cluster (not in topic.json), -1 made in the cluster
    // and not yet matched with etcd.
    std::int64_t cluster_incarnation = 0;
};

struct topic {
    std::string name;
    topic_config config;
    std::vector<std::shared_ptr<partition>> partitions;  // shared with the topic's later versions
    // Traffic since this broker opened the topic, for /metrics: records and
    // their key + value bytes produced into it and served from it.
    std::atomic<std::int64_t> records_in{0};
    std::atomic<std::int64_t> bytes_in{0};
    std::atomic<std::int64_t> records_out{0};
    std::atomic<std::int64_t> bytes_out{0};
};

// A topic on disk this broker does not serve because its topic.json or a
// partition log could not be read at start. Its files are left exactly as
// they were (never deleted, never overwritten) until an operator repairs
// them (docs/operations.md) and restarts the broker.
struct damaged_topic {
    std::string name;
    std::filesystem::path path;  // the file or directory at fault
    std::string reason;
};

class topic_manager {
public:
    // Opens (creating if needed) the data dir and every topic in it. A
    // topic that cannot be opened is logged and kept aside as damaged (the
    // others are served); only trouble with the data dir itself fails.
    // `repl` (may be null: a lone broker) is handed to every partition and
    // must outlive the topic manager.
    static result<std::unique_ptr<topic_manager>> open(const std::filesystem::path& data_dir, std::int32_t broker_id,
                                                       log::log_options log_options, flush_policy flush,
                                                       const replication::replication_state* repl = nullptr);

    // A damaged topic's name is taken: creating it is `unavailable`.
    result<std::shared_ptr<topic>> create(const std::string& name, topic_config config);
    // Grows topic `name` to `partitions` partitions: the new ones are
    // empty, and topic.json records them last (a crash before it leaves
    // empty partition dirs that are not served). Never shrinks: a count
    // not above the current one is invalid_argument, nothing changed;
    // not_found when the topic is not served. Returns the new version.
    result<std::shared_ptr<topic>> add_partitions(const std::string& name, std::int32_t partitions);
    // Records the topic's cluster incarnation in its topic.json; returns the
    // new version (the same partitions). not_found when it is not served.
    result<std::shared_ptr<topic>> set_cluster_incarnation(const std::string& name, std::int64_t incarnation);
    // Every topic create() makes from now on gets this cluster incarnation
    // when its config has none (a cluster member: -1, to be matched with
    // etcd). Set before topics are created by requests.
    void set_new_topic_incarnation(std::int64_t incarnation) { new_topic_incarnation_ = incarnation; }
    // Served topics only; a damaged one is not found (see damaged()).
    std::shared_ptr<topic> find(const std::string& name) const;
    std::vector<std::shared_ptr<topic>> list() const;
    // Set once by open(), then read-only: safe from any thread.
    const damaged_topic* damaged(const std::string& name) const;
    const std::vector<damaged_topic>& damaged_topics() const { return damaged_; }
    status remove(const std::string& name);

    // Retention for every partition; returns the segments deleted.
    std::int64_t apply_retention(log::timestamp_ms now);
    // Syncs every partition (the interval flush policy's timer calls this).
    void sync_all();
    // Cleanly closes every log (recovery points written).
    status close();

    const std::filesystem::path& data_dir() const { return data_dir_; }

private:
    topic_manager(std::filesystem::path dir, log::log_options lo, flush_policy flush)
        : data_dir_(std::move(dir)), log_options_(std::move(lo)), flush_(flush) {}
    result<std::shared_ptr<topic>> open_topic(const std::filesystem::path& dir, const std::string& name,
                                              topic_config config);
    // Opens partitions [t.partitions.size(), t.config.partitions) of `t` in `dir`.
    status open_partitions(const std::filesystem::path& dir, topic& t);
    void set_aside(damaged_topic d);  // logs it; open() only

    std::filesystem::path data_dir_;
    log::log_options log_options_;
    flush_policy flush_;
    const replication::replication_state* repl_ = nullptr;
    util::file lock_;  // flock()ed: one broker per data dir
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<topic>> topics_;
    std::vector<damaged_topic> damaged_;  // by name; fixed after open()
    std::atomic<std::int64_t> new_topic_incarnation_{0};
};

// The message that goes with a damaged topic wherever it is refused.
std::string damaged_topic_message(const damaged_topic& d);

std::string topic_config_json(const std::string& name, const topic_config& c);
result<topic_config> parse_topic_config_json(std::string_view text);
// Reads and parses a topic.json file, as the broker does on start (and
// gafka-walcheck to find the ones it would set aside).
result<topic_config> read_topic_config_file(const std::filesystem::path& file);

}  // namespace gafka::broker
