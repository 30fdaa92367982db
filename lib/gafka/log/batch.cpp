#include "gafka/log/batch.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "gafka/log/compression.h"
#include "gafka/log/varint.h"
#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"

namespace gafka::log {
namespace {

using util::load_be;
using util::store_be;

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

void put_bytes(std::string& buf, std::optional<std::string_view> s) {
    if (!s) {
        varint::put(buf, -1);
        return;
    }
    varint::put(buf, static_cast<std::int64_t>(s->size()));
    buf.append(*s);
}

// Reads a varint-length field (-1: null) that must end by `end`.
bool get_bytes(std::string_view b, std::size_t& pos, std::size_t end, std::optional<std::string_view>& out) {
    auto len = varint::get32(b.substr(0, end), pos);
    if (!len || *len < -1) return false;
    if (*len == -1) {
        out.reset();
        return true;
    }
    if (pos + static_cast<std::size_t>(*len) > end) return false;
    out = b.substr(pos, static_cast<std::size_t>(*len));
    pos += static_cast<std::size_t>(*len);
    return true;
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
        case batch_problem::bad_attributes: return "bad attributes";
        case batch_problem::bad_compression: return "bad compression";
    }
    return "unknown";
}

batch_header decode_header(const char* p) {
    batch_header h;
    h.base_offset = load_be<std::int64_t>(p + batch_field::base_offset);
    // A negative or huge batch_length gives a length check_header refuses.
    h.length = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::uint64_t{load_be<std::uint32_t>(p + batch_field::batch_length)} + batch_length_base,
                                UINT32_MAX));
    h.leader_epoch = load_be<std::int32_t>(p + batch_field::leader_epoch);
    h.magic = static_cast<std::uint8_t>(p[batch_field::magic]);
    h.crc = load_be<std::uint32_t>(p + batch_field::crc);
    h.attributes = load_be<std::uint16_t>(p + batch_field::attributes);
    h.last_offset_delta = load_be<std::int32_t>(p + batch_field::last_offset_delta);
    h.first_timestamp = load_be<std::int64_t>(p + batch_field::first_timestamp);
    h.max_timestamp = load_be<std::int64_t>(p + batch_field::max_timestamp);
    h.producer_id = load_be<std::int64_t>(p + batch_field::producer_id);
    h.producer_epoch = load_be<std::int16_t>(p + batch_field::producer_epoch);
    h.base_sequence = load_be<std::int32_t>(p + batch_field::base_sequence);
    h.record_count = load_be<std::int32_t>(p + batch_field::record_count);
    return h;
}

batch_problem check_header(const batch_header& h, std::string_view header_bytes) {
    if (all_zero(header_bytes)) return batch_problem::zero_filled;
    if (h.length < batch_header_size + record_overhead || h.length > max_batch_bytes) return batch_problem::bad_length;
    if (h.magic != batch_magic) return batch_problem::bad_magic;
    // A compressed batch's records may take fewer bytes than their count.
    bool compressed = h.compression() != 0;
    if (h.record_count < 1 || h.record_count > max_batch_records || h.last_offset_delta != h.record_count - 1 ||
        (!compressed && static_cast<std::uint64_t>(h.record_count) * record_overhead > h.length - batch_header_size))
        return batch_problem::bad_count;
    if (h.compression() > 4 || (h.attributes & control_flag)) return batch_problem::bad_attributes;
    // Readers compute base_offset + i: a CRC-valid batch (a bad leader's, a
    // crafted file) must not make that overflow.
    if (h.base_offset < 0 || h.base_offset > std::numeric_limits<offset_t>::max() - h.record_count)
        return batch_problem::bad_offset;
    return batch_problem::none;
}

namespace {

batch_problem check_records(batch_records records) {
    record_view r;
    std::int32_t n = 0;
    while (records.next(r)) ++n;
    return n == records.header().record_count && records.at_end() ? batch_problem::none : batch_problem::bad_records;
}

// Header, length and CRC; `batch` is cut to the batch's length.
batch_problem check_frame(std::string_view& batch) {
    if (batch.size() < batch_header_size) return batch_problem::truncated;
    auto h = decode_header(batch.data());
    if (auto p = check_header(h, batch.substr(0, batch_header_size)); p != batch_problem::none) return p;
    if (batch.size() < h.length) return batch_problem::truncated;
    batch = batch.substr(0, h.length);
    if (crc32c::value(batch.data() + crc_start, batch.size() - crc_start) != h.crc) return batch_problem::crc_mismatch;
    return batch_problem::none;
}

}  // namespace

batch_problem check_batch_no_decompress(std::string_view batch) {
    if (auto p = check_frame(batch); p != batch_problem::none) return p;
    if (decode_header(batch.data()).compression() != 0) return batch_problem::none;
    return check_records(batch_records(batch));
}

batch_problem check_batch(std::string_view batch) {
    if (auto p = check_frame(batch); p != batch_problem::none) return p;
    auto h = decode_header(batch.data());
    if (h.compression() == 0) return check_records(batch_records(batch));
    std::string records;
    if (!decompress(static_cast<codec>(h.compression()), batch.substr(batch_header_size), records).ok())
        return batch_problem::bad_compression;
    return check_records(batch_records(h, records));
}

batch_builder::batch_builder() { buf_.resize(batch_header_size); }

void batch_builder::add(const record& r) { add(r.timestamp, r.key, r.value, r.headers); }

std::size_t encoded_record_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                                std::span<const record_header> headers) {
    constexpr auto v32 = varint::max_int32_bytes;
    // length, attributes, timestamp_delta, offset_delta, key and value lengths, header count.
    std::size_t n = v32 + 1 + varint::max_int64_bytes + v32 + 2 * v32 + v32;
    n += (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : headers) n += 2 * v32 + h.name.size() + h.value.size();
    return n;
}

void batch_builder::add(timestamp_ms ts, std::optional<std::string_view> key, std::optional<std::string_view> value,
                        std::span<const record_header> headers) {
    if (count_ == 0) first_ts_ = max_ts_ = ts;
    max_ts_ = std::max(max_ts_, ts);
    body_.clear();
    body_.push_back('\0');  // attributes
    varint::put(body_, ts - first_ts_);
    varint::put(body_, count_);
    put_bytes(body_, key);
    put_bytes(body_, value);
    varint::put(body_, static_cast<std::int64_t>(headers.size()));
    for (const auto& h : headers) {
        put_bytes(body_, std::string_view(h.name));
        put_bytes(body_, std::string_view(h.value));
    }
    varint::put(buf_, static_cast<std::int64_t>(body_.size()));
    buf_.append(body_);
    ++count_;
}

std::string batch_builder::finish(offset_t base_offset, epoch_t epoch, std::int64_t producer_id,
                                  std::int32_t base_sequence, std::int16_t producer_epoch) {
    char* p = buf_.data();
    std::memset(p, 0, batch_header_size);
    store_be<std::uint32_t>(p + batch_field::batch_length, static_cast<std::uint32_t>(buf_.size() - batch_length_base));
    p[batch_field::magic] = static_cast<char>(batch_magic);
    store_be<std::int32_t>(p + batch_field::last_offset_delta, count_ - 1);
    store_be<std::int64_t>(p + batch_field::first_timestamp, first_ts_);
    store_be<std::int64_t>(p + batch_field::max_timestamp, max_ts_);
    store_be<std::int64_t>(p + batch_field::producer_id, producer_id);
    store_be<std::int16_t>(p + batch_field::producer_epoch, producer_id >= 0 ? producer_epoch : std::int16_t{-1});
    store_be<std::int32_t>(p + batch_field::base_sequence, base_sequence);
    store_be<std::int32_t>(p + batch_field::record_count, count_);
    store_be<std::uint32_t>(p + batch_field::crc, crc32c::value(p + crc_start, buf_.size() - crc_start));
    std::string out = std::move(buf_);
    restamp(out, base_offset, epoch);
    buf_.assign(batch_header_size, '\0');
    count_ = 0;
    return out;
}

void restamp(std::string& batch, offset_t base_offset, epoch_t epoch) {
    char* p = batch.data();
    store_be<std::int64_t>(p + batch_field::base_offset, base_offset);
    store_be<std::int32_t>(p + batch_field::leader_epoch, epoch);
}

batch_records::batch_records(std::string_view batch) : header_(decode_header(batch.data())) {
    batch = batch.substr(0, std::min<std::size_t>(batch.size(), header_.length));
    records_ = batch.substr(std::min(batch.size(), batch_header_size));
    readable_ = header_.compression() == 0;
}

batch_records::batch_records(const batch_header& h, std::string_view records) : header_(h), records_(records) {}

bool batch_records::next(record_view& out) {
    if (index_ >= header_.record_count || !readable_ || pos_ >= records_.size()) return false;
    std::size_t p = pos_;
    auto length = varint::get32(records_, p);
    if (!length || *length < static_cast<std::int32_t>(record_overhead - 1) ||
        p + static_cast<std::size_t>(*length) > records_.size())
        return false;
    std::size_t end = p + static_cast<std::size_t>(*length);
    auto rec = records_.substr(0, end);
    ++p;  // attributes
    auto ts_delta = varint::get(rec, p, varint::max_int64_bytes);
    auto offset_delta = varint::get32(rec, p);
    if (!ts_delta || !offset_delta || *offset_delta != index_) return false;
    out.offset = header_.base_offset + index_;
    // As Kafka's readers add them, wrapping: a CRC-valid batch may hold any
    // two values (tests/fuzz/batch_fuzz found the overflow).
    out.timestamp = static_cast<timestamp_ms>(static_cast<std::uint64_t>(header_.first_timestamp) +
                                              static_cast<std::uint64_t>(*ts_delta));
    if (!get_bytes(rec, p, end, out.key) || !get_bytes(rec, p, end, out.value)) return false;
    auto header_count = varint::get32(rec, p);
    if (!header_count || *header_count < 0 || static_cast<std::size_t>(*header_count) > end - p) return false;
    out.headers.clear();
    for (std::int32_t i = 0; i < *header_count; ++i) {
        std::optional<std::string_view> name, value;
        if (!get_bytes(rec, p, end, name) || !get_bytes(rec, p, end, value) || !name) return false;
        out.headers.emplace_back(*name, value.value_or(std::string_view{}));  // Kafka allows a null header value
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
