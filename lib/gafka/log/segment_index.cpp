#include "gafka/log/segment_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gafka/log/format.h"

namespace gafka::log {
namespace {

index_entry decode(const unsigned char* p) {
    index_entry e;
    std::memcpy(&e.relative_offset, p, 4);
    std::memcpy(&e.position, p + 4, 4);
    std::memcpy(&e.max_timestamp, p + 8, 8);
    return e;
}

void encode(const index_entry& e, unsigned char* p) {
    std::memcpy(p, &e.relative_offset, 4);
    std::memcpy(p + 4, &e.position, 4);
    std::memcpy(p + 8, &e.max_timestamp, 8);
}

}  // namespace

segment_index::~segment_index() {
    if (mapped_) ::munmap(const_cast<unsigned char*>(mapped_), mapped_entries_ * index_entry_size);
}

status segment_index::open_for_append(const std::filesystem::path& path, std::uint64_t log_size) {
    if (mapped_) ::munmap(const_cast<unsigned char*>(mapped_), mapped_entries_ * index_entry_size);
    mapped_ = nullptr;
    mapped_entries_ = 0;
    path_ = path;
    auto f = util::file::open(path, O_RDWR | O_CREAT);
    if (!f.ok()) return f.error();
    file_ = std::move(*f);
    auto size = file_.size();
    if (!size.ok()) return size.error();
    std::string bytes(*size, '\0');
    auto n = file_.pread(bytes.data(), bytes.size(), 0);
    if (!n.ok()) return n.error();
    entries_.clear();
    stale_ = *size % index_entry_size != 0;
    for (std::size_t i = 0; !stale_ && i + index_entry_size <= bytes.size(); i += index_entry_size) {
        auto e = decode(reinterpret_cast<const unsigned char*>(bytes.data()) + i);
        bool ordered = entries_.empty() ? (e.relative_offset == 0 && e.position == 0)
                                        : (e.relative_offset > entries_.back().relative_offset &&
                                           e.position > entries_.back().position);
        if (!ordered) stale_ = true;
        else if (e.position >= log_size) break;  // past a cut tail: dropped, not stale
        else entries_.push_back(e);
    }
    if (stale_) entries_.clear();
    return {};
}

status segment_index::truncate_from_position(std::uint64_t position) {
    while (!entries_.empty() && entries_.back().position >= position) entries_.pop_back();
    return file_.truncate(entries_.size() * index_entry_size);
}

status segment_index::add(const index_entry& e) {
    unsigned char buf[index_entry_size];
    encode(e, buf);
    if (auto s = file_.pwrite_all(buf, sizeof buf, entries_.size() * index_entry_size); !s.ok()) return s;
    entries_.push_back(e);
    return {};
}

status segment_index::seal() {
    if (mapped_ || !file_.is_open()) return {};
    auto count = entries_.size();
    if (count > 0) {
        void* p = ::mmap(nullptr, count * index_entry_size, PROT_READ, MAP_SHARED, file_.fd(), 0);
        if (p == MAP_FAILED) return status::from_errno("mmap " + path_.string(), errno);
        mapped_ = static_cast<const unsigned char*>(p);
        mapped_entries_ = count;
    }
    entries_.clear();
    entries_.shrink_to_fit();
    file_.close();
    return {};
}

status segment_index::remove_file() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    if (ec) return status::io_error("remove " + path_.string() + ": " + ec.message());
    return {};
}

std::size_t segment_index::size() const { return mapped_ ? mapped_entries_ : entries_.size(); }

index_entry segment_index::at(std::size_t i) const {
    return mapped_ ? decode(mapped_ + i * index_entry_size) : entries_[i];
}

std::optional<index_entry> segment_index::floor(std::uint32_t relative) const {
    std::size_t lo = 0, hi = size();  // first entry with relative_offset > relative
    while (lo < hi) {
        auto mid = lo + (hi - lo) / 2;
        if (at(mid).relative_offset <= relative) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return std::nullopt;
    return at(lo - 1);
}

std::optional<index_entry> segment_index::last_before_time(timestamp_ms t) const {
    std::size_t lo = 0, hi = size();  // first entry with max_timestamp >= t (running max: sorted)
    while (lo < hi) {
        auto mid = lo + (hi - lo) / 2;
        if (at(mid).max_timestamp < t) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return std::nullopt;
    return at(lo - 1);
}

std::optional<index_entry> segment_index::last() const {
    if (size() == 0) return std::nullopt;
    return at(size() - 1);
}

}  // namespace gafka::log
