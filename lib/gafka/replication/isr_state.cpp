#include "gafka/replication/isr_state.h"

#include <algorithm>

namespace gafka::replication {

void isr_state::reset(offset_t hw) {
    followers_.clear();
    recorded_.clear();
    hw_ = hw;
}

void isr_state::set_recorded(const std::vector<replica_id>& isr, std::int64_t now_ms) {
    recorded_.clear();
    for (auto id : isr) {
        if (id == leader_) continue;
        recorded_.push_back(id);
        auto [it, fresh] = followers_.try_emplace(id);
        if (!fresh) continue;
        it->second.id = id;
        it->second.last_fetch_ms = now_ms;
        it->second.last_caught_up_ms = now_ms;
    }
}

void isr_state::add_in_sync_follower(replica_id id, std::int64_t now_ms) {
    if (id == leader_) return;
    auto& f = followers_[id];
    f.id = id;
    f.in_sync = true;
    f.last_fetch_ms = now_ms;
    f.last_caught_up_ms = now_ms;
}

bool isr_state::on_fetch(replica_id id, offset_t position, offset_t leader_end, std::int64_t now_ms) {
    if (id == leader_) return false;
    auto [it, fresh] = followers_.try_emplace(id);
    auto& f = it->second;
    f.id = id;
    if (position >= leader_end) f.last_caught_up_ms = now_ms;
    else if (!fresh && position >= f.leader_end_at_last_fetch) f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
    f.position = position;
    f.leader_end_at_last_fetch = leader_end;
    f.last_fetch_ms = now_ms;
    if (!f.in_sync && position >= high_watermark(leader_end)) {
        f.in_sync = true;
        f.last_caught_up_ms = std::max(f.last_caught_up_ms, now_ms);
        return true;
    }
    return false;
}

bool isr_state::expire(std::int64_t now_ms) {
    bool changed = false;
    for (auto& [_, f] : followers_) {
        if (f.in_sync && now_ms - f.last_caught_up_ms > config_.lag_max_ms) {
            f.in_sync = false;
            changed = true;
        }
    }
    return changed;
}

offset_t isr_state::high_watermark(offset_t leader_end) {
    offset_t low = leader_end;
    for (const auto& [id, f] : followers_)
        if (f.in_sync || std::find(recorded_.begin(), recorded_.end(), id) != recorded_.end())
            low = std::min(low, f.position);
    hw_ = std::min(std::max(hw_, low), leader_end);
    return hw_;
}

std::vector<replica_id> isr_state::isr() const {
    std::vector<replica_id> out{leader_};
    for (const auto& [id, f] : followers_)
        if (f.in_sync) out.push_back(id);
    return out;
}

std::vector<replica_id> isr_state::replicas() const {
    std::vector<replica_id> out{leader_};
    for (const auto& [id, _] : followers_) out.push_back(id);
    return out;
}

std::int32_t isr_state::isr_size() const {
    std::int32_t n = 1;
    for (const auto& [_, f] : followers_) n += f.in_sync ? 1 : 0;
    return n;
}

}  // namespace gafka::replication
