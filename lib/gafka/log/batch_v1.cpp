#include "gafka/log/batch_v1.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "gafka/util/crc32c.h"

namespace gafka::log::v1 {
namespace {

namespace field {
inline constexpr std::size_t crc = 0;
inline constexpr std::size_t length = 4;
inline constexpr std::size_t base_offset = 8;
inline constexpr std::size_t first_timestamp = 16;
inline constexpr std::size_t max_timestamp = 24;
inline constexpr std::size_t producer_id = 32;
inline constexpr std::size_t base_sequence = 40;
inline constexpr std::size_t leader_epoch = 44;
inline constexpr std::size_t record_count = 48;
inline constexpr std::size_t magic = magic_position;
inline constexpr std::size_t attributes = 53;
}  // namespace field

constexpr std::size_t crc_start = field::length;
constexpr std::size_t record_overhead = 4 + 8 + 4 + 4 + 4;

template <typename T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

bool get_bytes(std::string_view b, std::size_t& pos, std::size_t end, std::optional<std::string_view>& out) {
    if (pos + 4 > end) return false;
    auto len = load<std::int32_t>(b.data() + pos);
    pos += 4;
    if (len == -1) {
        out.reset();
        return true;
    }
    if (len < 0 || pos + static_cast<std::size_t>(len) > end) return false;
    out = b.substr(pos, static_cast<std::size_t>(len));
    pos += static_cast<std::size_t>(len);
    return true;
}

}  // namespace

batch_header decode_header(const char* p) {
    batch_header h;
    h.crc = load<std::uint32_t>(p + field::crc);
    h.length = load<std::uint32_t>(p + field::length);
    h.base_offset = load<std::int64_t>(p + field::base_offset);
    h.first_timestamp = load<std::int64_t>(p + field::first_timestamp);
    h.max_timestamp = load<std::int64_t>(p + field::max_timestamp);
    h.producer_id = load<std::int64_t>(p + field::producer_id);
    h.producer_epoch = h.producer_id >= 0 ? 0 : -1;
    h.base_sequence = load<std::int32_t>(p + field::base_sequence);
    h.leader_epoch = load<std::int32_t>(p + field::leader_epoch);
    h.record_count = load<std::int32_t>(p + field::record_count);
    h.last_offset_delta = h.record_count - 1;
    h.magic = static_cast<std::uint8_t>(p[field::magic]);
    h.attributes = static_cast<std::uint8_t>(p[field::attributes]);
    return h;
}

batch_problem check_header(const batch_header& h, std::string_view header_bytes) {
    if (std::all_of(header_bytes.begin(), header_bytes.end(), [](char c) { return c == 0; }))
        return batch_problem::zero_filled;
    if (h.length < header_size + record_overhead || h.length > max_batch_bytes) return batch_problem::bad_length;
    if (h.magic != magic) return batch_problem::bad_magic;
    if (h.record_count < 1 || h.record_count > max_batch_records ||
        static_cast<std::uint64_t>(h.record_count) * record_overhead > h.length - header_size)
        return batch_problem::bad_count;
    if (h.base_offset < 0 || h.base_offset > std::numeric_limits<offset_t>::max() - h.record_count)
        return batch_problem::bad_offset;
    return batch_problem::none;
}

batch_problem check_batch(std::string_view batch) {
    if (batch.size() < header_size) return batch_problem::truncated;
    auto h = v1::decode_header(batch.data());
    if (auto p = v1::check_header(h, batch.substr(0, header_size)); p != batch_problem::none) return p;
    if (batch.size() < h.length) return batch_problem::truncated;
    batch = batch.substr(0, h.length);
    if (crc32c::value(batch.data() + crc_start, batch.size() - crc_start) != h.crc) return batch_problem::crc_mismatch;
    v1::batch_records records(batch);
    record_view r;
    std::int32_t n = 0;
    while (records.next(r)) ++n;
    return n == h.record_count ? batch_problem::none : batch_problem::bad_records;
}

bool starts_with_v1_batch(std::string_view bytes) {
    return bytes.size() >= header_size && static_cast<std::uint8_t>(bytes[field::magic]) == magic &&
           v1::check_batch(bytes) == batch_problem::none;
}

batch_records::batch_records(std::string_view batch) : batch_(batch), header_(v1::decode_header(batch.data())) {
    batch_ = batch_.substr(0, std::min<std::size_t>(batch_.size(), header_.length));
}

bool batch_records::next(record_view& out) {
    if (index_ >= header_.record_count || pos_ + record_overhead > batch_.size()) return false;
    auto body = load<std::uint32_t>(batch_.data() + pos_);
    std::size_t end = pos_ + 4 + body;
    if (end > batch_.size() || body < record_overhead - 4) return false;
    std::size_t p = pos_ + 4;
    out.offset = header_.base_offset + index_;
    out.timestamp = load<std::int64_t>(batch_.data() + p);
    p += 8;
    if (!get_bytes(batch_, p, end, out.key) || !get_bytes(batch_, p, end, out.value)) return false;
    if (p + 4 > end) return false;
    auto header_count = load<std::uint32_t>(batch_.data() + p);
    p += 4;
    out.headers.clear();
    for (std::uint32_t i = 0; i < header_count; ++i) {
        std::optional<std::string_view> name, value;
        if (!get_bytes(batch_, p, end, name) || !get_bytes(batch_, p, end, value) || !name || !value) return false;
        out.headers.emplace_back(*name, *value);
    }
    if (p != end) return false;
    pos_ = end;
    ++index_;
    return true;
}

std::string to_v2(std::string_view batch) {
    auto h = v1::decode_header(batch.data());
    batch_builder b;
    v1::batch_records records(batch);
    record_view r;
    std::vector<record_header> headers;
    while (records.next(r)) {
        headers.clear();
        for (auto [n, v] : r.headers) headers.push_back({std::string(n), std::string(v)});
        b.add(r.timestamp, r.key, r.value, headers);
    }
    return b.finish(h.base_offset, h.leader_epoch, h.producer_id, h.base_sequence);
}

}  // namespace gafka::log::v1
