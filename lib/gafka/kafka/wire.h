#pragma once
// Kafka's primitive types on the wire: big-endian integers, unsigned and
// zigzag varints, uuids, float64, strings and bytes in their classic
// (int16/int32 length, -1 = null) and compact (unsigned varint length+1,
// 0 = null) forms, array lengths and tagged-field headers.
//
// reader: a bounds-checked cursor over bytes it does not own (the frame must
// outlive it and every view it returns). It never reads past its end: the
// first read that would fails the reader, which then stays failed (every
// later read returns zero/empty) and keeps the first reason and its offset,
// so a decoder checks ok() once per element rather than after every read. A
// length larger than the bytes left fails before anything is allocated.
//
// writer: appends to a std::string it owns; it cannot fail.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::kafka {

using uuid_bytes = std::array<std::uint8_t, 16>;

class reader {
public:
    explicit reader(std::string_view bytes) : bytes_(bytes) {}

    bool ok() const { return error_ == nullptr; }
    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return bytes_.size() - pos_; }
    // A corruption status naming the first failure and where it happened.
    status error() const;
    // Fails the reader with `why` (a static string) unless it already failed.
    void fail(const char* why);

    std::int8_t i8();
    std::int16_t i16();
    std::int32_t i32();
    std::int64_t i64();
    std::uint32_t u32();
    double f64();
    uuid_bytes uuid();
    bool boolean() { return i8() != 0; }
    std::uint32_t uvarint();   // at most 5 bytes
    std::int32_t varint();     // zigzag, at most 5 bytes
    std::int64_t varlong();    // zigzag, at most 10 bytes

    // `n` raw bytes as a view into the input; fails if fewer are left.
    std::string_view raw(std::size_t n);
    void skip(std::size_t n) { (void)raw(n); }

    // Strings and byte strings; nullopt is null. `compact` picks the
    // flexible-version form. A null where `nullable` is false fails.
    std::optional<std::string_view> string(bool compact, bool nullable);
    std::optional<std::string_view> bytes(bool compact, bool nullable);
    // An array's element count, or nullopt for a null array. Fails when the
    // count exceeds the bytes left divided by `min_element_size` (every
    // element takes at least that), so a hostile count allocates nothing.
    std::optional<std::size_t> array_length(bool compact, bool nullable, std::size_t min_element_size);

private:
    std::optional<std::size_t> checked_length(std::int64_t n, std::size_t unit, bool nullable, const char* what);

    std::string_view bytes_;
    std::size_t pos_ = 0;
    const char* error_ = nullptr;
    std::size_t error_pos_ = 0;
};

// A hole in an encoded frame: `length` bytes that belong at `at` (a
// position in the frame as written, which lacks them) and come from file
// range `slot` of the answer.
struct splice {
    std::size_t at = 0;
    std::int32_t slot = -1;
    std::uint64_t length = 0;
};

class writer {
public:
    explicit writer(std::string& out, std::vector<splice>* splices = nullptr) : out_(out), splices_(splices) {}

    std::size_t size() const { return out_.size(); }
    void i8(std::int8_t v);
    void i16(std::int16_t v);
    void i32(std::int32_t v);
    void i64(std::int64_t v);
    void u32(std::uint32_t v);
    void f64(double v);
    void uuid(const uuid_bytes& v);
    void boolean(bool v) { i8(v ? 1 : 0); }
    void uvarint(std::uint32_t v);
    void varint(std::int32_t v);
    void varlong(std::int64_t v);
    void raw(std::string_view bytes) { out_.append(bytes); }

    // nullopt writes null (-1, or 0 in the compact form).
    void string(std::optional<std::string_view> s, bool compact);
    void bytes(std::optional<std::string_view> b, bool compact);
    // The length prefix of `n` bytes that are not written here but spliced
    // in at this position from file range `slot` (needs a splice list).
    void external_bytes(std::uint64_t n, std::int32_t slot, bool compact);
    void array_length(std::optional<std::size_t> n, bool compact);
    // Overwrites 4 bytes at `at` with `v` (a size prefix written afterwards).
    void patch_i32(std::size_t at, std::int32_t v);

private:
    std::string& out_;
    std::vector<splice>* splices_;
};

// The length of `v` as an unsigned varint, for tagged-field sizes.
std::size_t uvarint_size(std::uint32_t v);

}  // namespace gafka::kafka
