#include "gafka/replication/leader_epoch_cache.h"

#include <algorithm>
#include <charconv>

#include "gafka/util/file.h"

namespace gafka::replication {

bool leader_epoch_cache::assign(epoch_t epoch, offset_t start) {
    if (epoch < 0 || start < 0) return false;
    if (!entries_.empty()) {
        const auto& last = entries_.back();
        if (epoch <= last.epoch || start < last.start_offset) return false;
        // An older epoch that never got a record: the new one replaces it.
        if (start == last.start_offset) entries_.pop_back();
    }
    entries_.push_back({epoch, start});
    return true;
}

std::optional<epoch_t> leader_epoch_cache::latest_epoch() const {
    if (entries_.empty()) return std::nullopt;
    return entries_.back().epoch;
}

epoch_end leader_epoch_cache::end_offset_for(epoch_t epoch, offset_t log_end) const {
    // The first entry with a larger epoch: the one before it is the answer.
    auto after = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                                  [](epoch_t e, const epoch_entry& x) { return e < x.epoch; });
    offset_t end = after == entries_.end() ? log_end : after->start_offset;
    if (after == entries_.begin()) return {no_epoch, end};
    return {std::prev(after)->epoch, end};
}

void leader_epoch_cache::truncate_from(offset_t offset) {
    std::erase_if(entries_, [offset](const epoch_entry& e) { return e.start_offset >= offset; });
}

std::string leader_epoch_cache::encode() const {
    std::string out;
    for (const auto& e : entries_) out += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
    return out;
}

result<leader_epoch_cache> leader_epoch_cache::decode(std::string_view text) {
    leader_epoch_cache c;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty()) continue;
        auto bad = [&] {
            return status::corruption(std::string(epoch_checkpoint_file) + " line " + std::to_string(line_no) +
                                      ": expected 'EPOCH START_OFFSET' in increasing order");
        };
        auto space = line.find(' ');
        if (space == std::string_view::npos) return bad();
        epoch_t epoch = 0;
        offset_t start = 0;
        auto a = std::from_chars(line.data(), line.data() + space, epoch);
        auto b = std::from_chars(line.data() + space + 1, line.data() + line.size(), start);
        if (a.ec != std::errc() || a.ptr != line.data() + space || b.ec != std::errc() ||
            b.ptr != line.data() + line.size())
            return bad();
        if (!c.entries_.empty() && (epoch <= c.entries_.back().epoch || start < c.entries_.back().start_offset))
            return bad();
        if (epoch < 0 || start < 0) return bad();
        c.entries_.push_back({epoch, start});
    }
    return c;
}

result<leader_epoch_cache> leader_epoch_cache::load(const std::filesystem::path& dir) {
    auto path = dir / epoch_checkpoint_file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return leader_epoch_cache{};
    auto text = util::read_whole_file(path);
    if (!text.ok()) return text.error();
    auto c = decode(*text);
    if (!c.ok()) return status::corruption(dir.string() + ": " + c.error().message());
    return c;
}

status leader_epoch_cache::save(const std::filesystem::path& dir) const {
    return util::atomic_write_file(dir / epoch_checkpoint_file, encode());
}

offset_t truncation_offset(const leader_epoch_cache& follower, offset_t follower_end, epoch_end leader_answer) {
    auto own = follower.end_offset_for(leader_answer.epoch, follower_end);
    return std::min({follower_end, leader_answer.end_offset, own.end_offset});
}

}  // namespace gafka::replication
