#include "gafka/kafka/wire.h"

#include <bit>
#include <cstring>

namespace gafka::kafka {

namespace {

template <typename U>
U load_be(const char* p) {
    U v = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>((v << 8) | static_cast<std::uint8_t>(p[i]));
    return v;
}

template <typename U>
void store_be(std::string& out, U v) {
    char buf[sizeof(U)];
    for (std::size_t i = 0; i < sizeof(U); ++i) buf[i] = static_cast<char>(v >> (8 * (sizeof(U) - 1 - i)));
    out.append(buf, sizeof buf);
}

}  // namespace

status reader::error() const {
    if (ok()) return status::ok_status();
    return status::corruption(std::string(error_) + " at byte " + std::to_string(error_pos_));
}

void reader::fail(const char* why) {
    if (error_ != nullptr) return;
    error_ = why;
    error_pos_ = pos_;
    pos_ = bytes_.size();  // nothing more is read once failed
}

std::string_view reader::raw(std::size_t n) {
    if (n > remaining()) {
        fail("truncated");
        return {};
    }
    std::string_view v = bytes_.substr(pos_, n);
    pos_ += n;
    return v;
}

std::int8_t reader::i8() { auto b = raw(1); return b.empty() ? 0 : static_cast<std::int8_t>(b[0]); }
std::int16_t reader::i16() { auto b = raw(2); return b.empty() ? 0 : static_cast<std::int16_t>(load_be<std::uint16_t>(b.data())); }
std::int32_t reader::i32() { auto b = raw(4); return b.empty() ? 0 : static_cast<std::int32_t>(load_be<std::uint32_t>(b.data())); }
std::int64_t reader::i64() { auto b = raw(8); return b.empty() ? 0 : static_cast<std::int64_t>(load_be<std::uint64_t>(b.data())); }
std::uint32_t reader::u32() { auto b = raw(4); return b.empty() ? 0 : load_be<std::uint32_t>(b.data()); }
double reader::f64() { return std::bit_cast<double>(static_cast<std::uint64_t>(i64())); }

uuid_bytes reader::uuid() {
    uuid_bytes u{};
    auto b = raw(u.size());
    if (!b.empty()) std::memcpy(u.data(), b.data(), u.size());
    return u;
}

std::uint32_t reader::uvarint() {
    std::uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        auto b = raw(1);
        if (b.empty()) return 0;
        auto byte = static_cast<std::uint8_t>(b[0]);
        v |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return v;
    }
    fail("varint longer than 5 bytes");
    return 0;
}

std::int32_t reader::varint() {
    std::uint32_t z = uvarint();
    return static_cast<std::int32_t>((z >> 1) ^ (~(z & 1) + 1));
}

std::int64_t reader::varlong() {
    std::uint64_t z = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        auto b = raw(1);
        if (b.empty()) return 0;
        auto byte = static_cast<std::uint8_t>(b[0]);
        z |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }
    fail("varlong longer than 10 bytes");
    return 0;
}

// `n` is a decoded length: -1 is null, other negatives are malformed, and a
// length whose `unit`-sized elements cannot fit in what is left fails here,
// before a caller allocates for it.
std::optional<std::size_t> reader::checked_length(std::int64_t n, std::size_t unit, bool nullable, const char* what) {
    if (!ok()) return std::nullopt;
    if (n == -1) {
        if (!nullable) fail(what);
        return std::nullopt;
    }
    if (n < -1) {
        fail("negative length");
        return std::nullopt;
    }
    if (static_cast<std::uint64_t>(n) > remaining() / unit) {
        fail("length exceeds the bytes left");
        return std::nullopt;
    }
    return static_cast<std::size_t>(n);
}

std::optional<std::string_view> reader::string(bool compact, bool nullable) {
    std::int64_t n = compact ? static_cast<std::int64_t>(uvarint()) - 1 : i16();
    auto len = checked_length(n, 1, nullable, "null in a non-nullable string");
    if (!len) return std::nullopt;
    return raw(*len);
}

std::optional<std::string_view> reader::bytes(bool compact, bool nullable) {
    std::int64_t n = compact ? static_cast<std::int64_t>(uvarint()) - 1 : i32();
    auto len = checked_length(n, 1, nullable, "null in non-nullable bytes");
    if (!len) return std::nullopt;
    return raw(*len);
}

std::optional<std::size_t> reader::array_length(bool compact, bool nullable, std::size_t min_element_size) {
    std::int64_t n = compact ? static_cast<std::int64_t>(uvarint()) - 1 : i32();
    return checked_length(n, min_element_size == 0 ? 1 : min_element_size, nullable, "null in a non-nullable array");
}

void writer::i8(std::int8_t v) { out_.push_back(static_cast<char>(v)); }
void writer::i16(std::int16_t v) { store_be(out_, static_cast<std::uint16_t>(v)); }
void writer::i32(std::int32_t v) { store_be(out_, static_cast<std::uint32_t>(v)); }
void writer::i64(std::int64_t v) { store_be(out_, static_cast<std::uint64_t>(v)); }
void writer::u32(std::uint32_t v) { store_be(out_, v); }
void writer::f64(double v) { i64(static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(v))); }
void writer::uuid(const uuid_bytes& v) { out_.append(reinterpret_cast<const char*>(v.data()), v.size()); }

void writer::uvarint(std::uint32_t v) {
    while (v >= 0x80) {
        out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
}

void writer::varint(std::int32_t v) {
    auto u = static_cast<std::uint32_t>(v);
    uvarint((u << 1) ^ static_cast<std::uint32_t>(v >> 31));
}

void writer::varlong(std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    std::uint64_t z = (u << 1) ^ static_cast<std::uint64_t>(v >> 63);
    while (z >= 0x80) {
        out_.push_back(static_cast<char>((z & 0x7f) | 0x80));
        z >>= 7;
    }
    out_.push_back(static_cast<char>(z));
}

void writer::string(std::optional<std::string_view> s, bool compact) {
    if (compact) uvarint(s ? static_cast<std::uint32_t>(s->size() + 1) : 0);
    else i16(s ? static_cast<std::int16_t>(s->size()) : -1);
    if (s) raw(*s);
}

void writer::bytes(std::optional<std::string_view> b, bool compact) {
    if (compact) uvarint(b ? static_cast<std::uint32_t>(b->size() + 1) : 0);
    else i32(b ? static_cast<std::int32_t>(b->size()) : -1);
    if (b) raw(*b);
}

void writer::external_bytes(std::uint64_t n, std::int32_t slot, bool compact) {
    if (compact) uvarint(static_cast<std::uint32_t>(n + 1));
    else i32(static_cast<std::int32_t>(n));
    if (splices_) splices_->push_back({out_.size(), slot, n});
}

void writer::array_length(std::optional<std::size_t> n, bool compact) {
    if (compact) uvarint(n ? static_cast<std::uint32_t>(*n + 1) : 0);
    else i32(n ? static_cast<std::int32_t>(*n) : -1);
}

void writer::patch_i32(std::size_t at, std::int32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<char>(static_cast<std::uint32_t>(v) >> (8 * (3 - i)));
}

std::size_t uvarint_size(std::uint32_t v) {
    std::size_t n = 1;
    while (v >= 0x80) { v >>= 7; ++n; }
    return n;
}

}  // namespace gafka::kafka
