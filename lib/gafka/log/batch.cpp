#include "gafka/log/batch.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "gafka/util/crc32c.h"

namespace gafka::log {
namespace {

// Little-endian loads and stores (x86_64 and aarch64 hosts are little-endian).
template <typename T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename T>
void store(char* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

template <typename T>
void put(std::string& buf, T v) {
    char tmp[sizeof v];
    std::memcpy(tmp, &v, sizeof v);
    buf.append(tmp, sizeof v);
}

void put_bytes(std::string& buf, std::optional<std::string_view> s) {
    if (!s) {
        put<std::int32_t>(buf, -1);
        return;
    }
    put<std::int32_t>(buf, static_cast<std::int32_t>(s->size()));
    buf.append(*s);
}

// Reads an optional length-prefixed field; false when it overruns `end`.
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

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

}  // namespace

const char* to_string(batch_problem p) {
    switch (p) {
        case batch_problem::none: return "none";
        case batch_problem::truncated: return "truncated batch";
        case batch_problem::zero_filled: return "zero-filled";
        case batch_problem::bad_length: return "bad length";
        case batch_problem::bad_magic: return "bad magic";
        case batch_problem::bad_count: return "bad record count";
        case batch_problem::crc_mismatch: return "crc mismatch";
        case batch_problem::bad_records: return "bad records";
        case batch_problem::offset_out_of_order: return "offset out of order";
        case batch_problem::bad_offset: return "bad offset";
    }
    return "unknown";
}

batch_header decode_header(const char* p) {
    batch_header h;
    h.crc = load<std::uint32_t>(p + batch_field::crc);
    h.length = load<std::uint32_t>(p + batch_field::length);
    h.base_offset = load<std::int64_t>(p + batch_field::base_offset);
    h.first_timestamp = load<std::int64_t>(p + batch_field::first_timestamp);
    h.max_timestamp = load<std::int64_t>(p + batch_field::max_timestamp);
    h.producer_id = load<std::int64_t>(p + batch_field::producer_id);
    h.base_sequence = load<std::int32_t>(p + batch_field::base_sequence);
    h.leader_epoch = load<std::int32_t>(p + batch_field::leader_epoch);
    h.record_count = load<std::int32_t>(p + batch_field::record_count);
    h.magic = static_cast<std::uint8_t>(p[batch_field::magic]);
    h.attributes = static_cast<std::uint8_t>(p[batch_field::attributes]);
    return h;
}

batch_problem check_header(const batch_header& h, std::string_view header_bytes) {
    if (all_zero(header_bytes)) return batch_problem::zero_filled;
    if (h.length < batch_header_size + record_overhead || h.length > max_batch_bytes) return batch_problem::bad_length;
    if (h.magic != batch_magic) return batch_problem::bad_magic;
    if (h.record_count < 1 || h.record_count > max_batch_records ||
        static_cast<std::uint64_t>(h.record_count) * record_overhead > h.length - batch_header_size)
        return batch_problem::bad_count;
    // Readers compute base_offset + i: a CRC-valid batch (a bad leader's, a
    // crafted file) must not make that overflow.
    if (h.base_offset < 0 || h.base_offset > std::numeric_limits<offset_t>::max() - h.record_count)
        return batch_problem::bad_offset;
    return batch_problem::none;
}

batch_problem check_batch(std::string_view batch) {
    if (batch.size() < batch_header_size) return batch_problem::truncated;
    auto h = decode_header(batch.data());
    if (auto p = check_header(h, batch.substr(0, batch_header_size)); p != batch_problem::none) return p;
    if (batch.size() < h.length) return batch_problem::truncated;
    batch = batch.substr(0, h.length);
    if (crc32c::value(batch.data() + crc_start, batch.size() - crc_start) != h.crc) return batch_problem::crc_mismatch;
    batch_records records(batch);
    record_view r;
    std::int32_t n = 0;
    while (records.next(r)) ++n;
    return n == h.record_count ? batch_problem::none : batch_problem::bad_records;
}

batch_builder::batch_builder() { buf_.resize(batch_header_size); }

void batch_builder::add(const record& r) { add(r.timestamp, r.key, r.value, r.headers); }

std::size_t encoded_record_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                                std::span<const record_header> headers) {
    std::size_t n = record_overhead + (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : headers) n += 8 + h.name.size() + h.value.size();
    return n;
}

void batch_builder::add(timestamp_ms ts, std::optional<std::string_view> key, std::optional<std::string_view> value,
                        std::span<const record_header> headers) {
    auto body = encoded_record_size(key, value, headers) - 4;
    put<std::uint32_t>(buf_, static_cast<std::uint32_t>(body));
    put<std::int64_t>(buf_, ts);
    put_bytes(buf_, key);
    put_bytes(buf_, value);
    put<std::uint32_t>(buf_, static_cast<std::uint32_t>(headers.size()));
    for (const auto& h : headers) {
        put_bytes(buf_, std::string_view(h.name));
        put_bytes(buf_, std::string_view(h.value));
    }
    if (count_ == 0) first_ts_ = max_ts_ = ts;
    max_ts_ = std::max(max_ts_, ts);
    ++count_;
}

std::string batch_builder::finish(offset_t base_offset, epoch_t epoch, std::int64_t producer_id,
                                  std::int32_t base_sequence) {
    char* p = buf_.data();
    std::memset(p, 0, batch_header_size);
    store<std::uint32_t>(p + batch_field::length, static_cast<std::uint32_t>(buf_.size()));
    store<std::int64_t>(p + batch_field::first_timestamp, first_ts_);
    store<std::int64_t>(p + batch_field::max_timestamp, max_ts_);
    store<std::int64_t>(p + batch_field::producer_id, producer_id);
    store<std::int32_t>(p + batch_field::base_sequence, base_sequence);
    store<std::int32_t>(p + batch_field::record_count, count_);
    p[batch_field::magic] = static_cast<char>(batch_magic);
    std::string out = std::move(buf_);
    restamp(out, base_offset, epoch);
    buf_.assign(batch_header_size, '\0');
    count_ = 0;
    return out;
}

void restamp(std::string& batch, offset_t base_offset, epoch_t epoch) {
    char* p = batch.data();
    store<std::int64_t>(p + batch_field::base_offset, base_offset);
    store<std::int32_t>(p + batch_field::leader_epoch, epoch);
    store<std::uint32_t>(p + batch_field::crc, crc32c::value(p + crc_start, batch.size() - crc_start));
}

batch_records::batch_records(std::string_view batch) : batch_(batch), header_(decode_header(batch.data())) {
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

record record_view::to_record() const {
    record r;
    r.timestamp = timestamp;
    if (key) r.key = std::string(*key);
    if (value) r.value = std::string(*value);
    for (auto [n, v] : headers) r.headers.push_back({std::string(n), std::string(v)});
    return r;
}

}  // namespace gafka::log
