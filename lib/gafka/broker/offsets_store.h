#pragma once
// Where committed group offsets live: a log-structured partition log under
// <data-dir>/groups/offsets (not a topic: clients never see it). Each commit
// is one record, key "group\ntopic\npartition", value the offset in decimal
// ("-1": deleted); replaying the log on start rebuilds the latest offsets.
// Names cannot contain '\n' (names.h), so the key splits unambiguously.
// Thread-safe (partition_log is).
#include <filesystem>
#include <functional>
#include <memory>

#include "gafka/broker/group_coordinator.h"
#include "gafka/log/partition_log.h"

namespace gafka::broker {

class offsets_store {
public:
    static result<std::unique_ptr<offsets_store>> open(const std::filesystem::path& data_dir,
                                                       log::log_options options);
    // Calls `visit` for every commit in log order.
    status replay(const std::function<void(const std::string&, const topic_partition&, log::offset_t)>& visit) const;
    // Appends one commit; durable after sync().
    result<log::offset_t> append(const std::string& group, const topic_partition& tp, log::offset_t offset);
    void sync_async(log::offset_t through, std::function<void(status)> done) {
        log_->sync_async(through, std::move(done));
    }
    status sync() { return log_->sync(); }
    log::offset_t log_end() const { return log_->log_end_offset(); }
    status close() { return log_->close(); }

private:
    explicit offsets_store(std::unique_ptr<log::partition_log> log) : log_(std::move(log)) {}
    std::unique_ptr<log::partition_log> log_;
};

}  // namespace gafka::broker
