#include "gafka/broker/partition.h"

#include <algorithm>

#include "gafka/log/decoded_batch.h"
#include "gafka/replication/replication_state.h"
#include "gafka/util/clock.h"
#include "gafka/util/logging.h"

namespace gafka::broker {
namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("replication"); }

std::string ids(const std::vector<replica_id>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
    return out + "]";
}

}  // namespace

partition::partition(std::string topic, partition_id id, std::unique_ptr<log::partition_log> log, flush_policy flush,
                     const replication::replication_state* repl, std::optional<log::codec> codec)
    : topic_(std::move(topic)),
      id_(id),
      log_(std::move(log)),
      flush_(flush),
      repl_(repl),
      codec_(codec),
      isr_(repl ? repl->self() : 1, repl ? repl->isr() : replication::isr_config{}) {
    auto cache = replication::leader_epoch_cache::load(log_->dir());
    if (cache.ok()) {
        epochs_ = std::move(*cache);
    } else {
        lg()->error("{}/{}: {}; rebuilding the epoch history from the log", topic_, id_, cache.error().message());
    }
    auto end = log_->log_end_offset();
    epochs_.truncate_from(end);  // a checkpoint written just before a crash may name an epoch with no record
    if (epochs_.entries().empty() && end > log_->log_start_offset()) {
        // A log written before epochs were kept: its first batch says which.
        auto first = log_->read(log_->log_start_offset(), 1);
        log::epoch_t e = 0;
        if (first.ok() && first->data.size() >= log::batch_header_size)
            e = log::decode_header(first->data.data()).leader_epoch;
        epochs_.assign(e, log_->log_start_offset());
    }
    leader_ = repl ? repl->is_leader() : true;
    epoch_ = repl ? repl->epoch() : 0;
    isr_.reset(local_end());
    if (leader_ && repl && end == 0) {
        // A partition born while followers are fetching: they hold all of it.
        for (auto f : repl->live_followers(util::steady_clock_ms())) isr_.add_in_sync_follower(f, util::steady_clock_ms());
    }
}

status partition::ensure_epoch_locked(log::epoch_t epoch, log::offset_t start) {
    auto latest = epochs_.latest_epoch();
    if (latest && *latest >= epoch) return {};
    if (!epochs_.assign(epoch, start)) return {};
    return epochs_.save(log_->dir());
}

result<log::append_result> partition::append(log::batch_bytes batch) {
    if (codec_ && batch.size() >= log::batch_header_size &&
        log::decode_header(batch.view().data()).compression() != static_cast<int>(*codec_)) {
        auto rewritten = log::compress_batch(batch.view(), *codec_);  // outside the locks: it takes CPU
        if (!rewritten.ok()) return rewritten.error();
        batch = std::move(rewritten).value();
    }
    log::epoch_t epoch;
    {
        std::lock_guard lock(state_mu_);
        if (!leader_) return status(status_code::not_leader, topic_ + "/" + std::to_string(id_) + " is a follower here");
        epoch = epoch_;
        if (auto s = ensure_epoch_locked(epoch, log_->log_end_offset()); !s.ok()) return s;
    }
    auto r = log_->append(std::move(batch), epoch);
    if (r.ok() && !flush_.sync_before_ack()) wake_waiters();
    return r;
}

void partition::when_durable(log::offset_t through, std::function<void(status)> done) {
    if (!flush_.sync_before_ack()) {
        done({});
        return;
    }
    log_->sync_async(through, [this, done = std::move(done)](status s) {
        if (s.ok()) wake_waiters();
        done(std::move(s));
    });
}

log::offset_t partition::local_end() const {
    return flush_.sync_before_ack() ? log_->durable_offset() : log_->log_end_offset();
}

log::offset_t partition::hw_locked() const {
    if (leader_) return isr_.high_watermark(local_end());
    return std::min(leader_hw_, local_end());
}

log::offset_t partition::visible_end() const {
    std::lock_guard lock(state_mu_);
    return hw_locked();
}

bool partition::is_leader() const {
    std::lock_guard lock(state_mu_);
    return leader_;
}

log::epoch_t partition::leader_epoch() const {
    std::lock_guard lock(state_mu_);
    return epoch_;
}

bool partition::enough_insync() const {
    std::lock_guard lock(state_mu_);
    return isr_.enough_insync();
}

std::int32_t partition::isr_size() const {
    std::lock_guard lock(state_mu_);
    return leader_ ? isr_.isr_size() : static_cast<std::int32_t>(leader_isr_.size());
}

void partition::follower_fetched(replica_id id, log::offset_t position, std::int64_t now_ms) {
    bool joined = false, moved = false;
    std::vector<replica_id> isr;
    {
        std::lock_guard lock(state_mu_);
        if (!leader_) return;
        auto before = hw_locked();
        joined = isr_.on_fetch(id, position, local_end(), now_ms);
        moved = hw_locked() != before;
        if (joined) isr = isr_.isr();
    }
    if (joined) lg()->info("{}/{}: replica {} caught up and joined the ISR, now {}", topic_, id_, id, ids(isr));
    if (joined || moved) wake_waiters();
}

void partition::expire_followers(std::int64_t now_ms) {
    std::vector<replica_id> isr;
    {
        std::lock_guard lock(state_mu_);
        if (!leader_ || !isr_.expire(now_ms)) return;
        isr = isr_.isr();
    }
    lg()->warn("{}/{}: a replica fell behind or went silent for over {} ms; ISR now {}", topic_, id_,
               isr_.config().lag_max_ms, ids(isr));
    wake_waiters();
}

replication::epoch_end partition::end_offset_for(log::epoch_t epoch) const {
    std::lock_guard lock(state_mu_);
    return epochs_.end_offset_for(epoch, log_->log_end_offset());
}

status partition::become_leader(log::epoch_t epoch) { return lead_in_cluster(epoch, {}, util::steady_clock_ms()); }

status partition::lead_in_cluster(log::epoch_t epoch, const std::vector<replica_id>& isr, std::int64_t now_ms) {
    {
        std::lock_guard lock(state_mu_);
        leader_ = true;
        epoch_ = epoch;
        if (auto s = ensure_epoch_locked(epoch, log_->log_end_offset()); !s.ok()) return s;
        isr_.reset(local_end());
        for (auto f : isr) isr_.add_in_sync_follower(f, now_ms);
        isr_.set_recorded(isr, now_ms);
        leader_isr_.clear();
        leader_id_ = -1;
        leader_at_.clear();
    }
    wake_waiters();
    return {};
}

void partition::set_recorded_isr(const std::vector<replica_id>& isr, std::int64_t now_ms) {
    bool moved = false;
    {
        std::lock_guard lock(state_mu_);
        if (!leader_) return;
        auto before = hw_locked();
        isr_.set_recorded(isr, now_ms);
        moved = hw_locked() != before;
    }
    if (moved) wake_waiters();
}

void partition::follow_in_cluster(log::epoch_t epoch, replica_id leader, std::string leader_at) {
    {
        std::lock_guard lock(state_mu_);
        leader_ = false;
        epoch_ = epoch;
        leader_id_ = leader;
        leader_at_ = std::move(leader_at);
    }
    wake_waiters();
}

std::optional<std::pair<replica_id, std::string>> partition::leader_hint() const {
    std::lock_guard lock(state_mu_);
    if (leader_ || leader_id_ < 0) return std::nullopt;
    return std::pair{leader_id_, leader_at_};
}

std::optional<log::epoch_t> partition::latest_epoch() const {
    std::lock_guard lock(state_mu_);
    return epochs_.latest_epoch();
}

result<log::offset_t> partition::append_replicated(std::string_view data) {
    while (!data.empty()) {
        if (data.size() < log::batch_header_size) return status::corruption("replicated data ends mid-batch");
        auto h = log::decode_header(data.data());
        if (h.length < log::batch_header_size || h.length > data.size() || h.record_count < 1)
            return status::corruption("replicated data ends mid-batch");
        auto batch = data.substr(0, h.length);
        data.remove_prefix(h.length);
        auto end = log_->log_end_offset();
        if (h.next_offset() <= end) continue;  // held already
        if (h.base_offset < end) {
            if (auto t = truncate_replica(h.base_offset); !t.ok()) return t.error();
        } else if (h.base_offset > end) {
            return status::out_of_range("replicated batch starts at " + std::to_string(h.base_offset) +
                                        ", past the log end " + std::to_string(end));
        }
        {
            std::lock_guard lock(state_mu_);
            auto latest = epochs_.latest_epoch();
            if (latest && h.leader_epoch < *latest)
                return status::corruption("replicated batch at offset " + std::to_string(h.base_offset) +
                                          " has epoch " + std::to_string(h.leader_epoch) + ", older than " +
                                          std::to_string(*latest));
            if (auto s = ensure_epoch_locked(h.leader_epoch, h.base_offset); !s.ok()) return s;
        }
        if (auto r = log_->append_stamped(batch); !r.ok()) return r.error();
    }
    return log_->log_end_offset();
}

result<log::offset_t> partition::truncate_replica(log::offset_t offset) {
    auto end = log_->log_end_offset();
    if (offset >= end) {
        // No record to cut, but an epoch this broker began at its log end
        // and wrote nothing in (it led a moment, or was told it did) is not
        // the leader's: forgotten, or every fetch would report it as this
        // log's last epoch and be told to diverge again, copying nothing.
        std::lock_guard lock(state_mu_);
        const auto& e = epochs_.entries();
        if (e.empty() || e.back().start_offset < end) return end;
        epochs_.truncate_from(end);
        if (auto s = epochs_.save(log_->dir()); !s.ok()) return s;
        lg()->warn("{}/{}: forgot the leader epoch begun at the log end {} that the leader does not have", topic_,
                   id_, end);
        return end;
    }
    offset = std::max(offset, log_->log_start_offset());
    auto holding = log_->read(offset, 1);
    if (holding.ok() && holding->data.size() >= log::batch_header_size)
        offset = std::min(offset, log::decode_header(holding->data.data()).base_offset);
    if (auto s = log_->truncate_to(offset); !s.ok()) return s;
    {
        std::lock_guard lock(state_mu_);
        epochs_.truncate_from(offset);
        if (auto s = epochs_.save(log_->dir()); !s.ok()) return s;
        leader_hw_ = std::min(leader_hw_, offset);
    }
    lg()->warn("{}/{}: cut the divergent tail: offsets {}..{} removed to match the leader", topic_, id_, offset,
               end - 1);
    wake_waiters();
    return offset;
}

result<log::offset_t> partition::truncate_divergent(replication::epoch_end leader_answer) {
    log::offset_t cut;
    {
        std::lock_guard lock(state_mu_);
        cut = replication::truncation_offset(epochs_, log_->log_end_offset(), leader_answer);
    }
    return truncate_replica(cut);
}

void partition::leader_said(log::offset_t high_watermark, log::offset_t log_end, std::vector<replica_id> isr) {
    bool moved;
    {
        std::lock_guard lock(state_mu_);
        auto before = hw_locked();
        leader_hw_ = high_watermark;
        leader_end_ = log_end;
        leader_isr_ = std::move(isr);
        moved = hw_locked() != before;
    }
    if (moved) wake_waiters();
}

replica_snapshot partition::snapshot() const {
    std::lock_guard lock(state_mu_);
    replica_snapshot s;
    s.leader = leader_;
    s.leader_epoch = epoch_;
    s.log_start = log_->log_start_offset();
    s.log_end = log_->log_end_offset();
    s.high_watermark = hw_locked();
    if (leader_) {
        s.isr = isr_.isr();
        for (const auto& [_, f] : isr_.followers()) s.followers.push_back(f);
    } else {
        s.isr = leader_isr_;
        s.leader_log_end = leader_end_;
    }
    return s;
}

isr_snapshot partition::in_sync() const {
    std::lock_guard lock(state_mu_);
    return {leader_, epoch_, leader_ ? isr_.isr() : leader_isr_};
}

std::uint64_t partition::wait_for_data(std::function<void()> wake) {
    std::lock_guard lock(mu_);
    auto id = next_waiter_++;
    waiters_.emplace_back(id, std::move(wake));
    return id;
}

void partition::cancel_wait(std::uint64_t id) {
    std::lock_guard lock(mu_);
    std::erase_if(waiters_, [id](const auto& w) { return w.first == id; });
}

void partition::wake_waiters() {
    std::vector<std::pair<std::uint64_t, std::function<void()>>> woken;
    {
        std::lock_guard lock(mu_);
        woken.swap(waiters_);
    }
    for (auto& [_, wake] : woken) wake();
}

}  // namespace gafka::broker
