#pragma once
// The decoded form of a Kafka message: a small dynamic tree that the codec
// (kafka/codec.h) reads into and writes from, and that handlers read and
// build through typed accessors: req.i32("timeout_ms"),
// req.array("topics"), resp.add("topics").set("name", "t").
//
// A struct value holds one value per field of its struct_schema, by index,
// whatever the version: a field the version lacks holds its default (the
// schema's default_int for integers, null for a field nullable in some
// version, else "" or an empty array). Integers of every width (and bool)
// are int64; float64 keeps its bits; string and bytes own a std::string;
// a record set is a view (records_t) into the frame it was read from, never
// copied or parsed here: the frame must outlive the tree.
//
// Asking a struct for a field name its schema lacks, or for the wrong kind,
// is a programming error: it asserts, and in release builds returns a
// zero/empty value.
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gafka/kafka/schema.h"
#include "gafka/kafka/wire.h"

namespace gafka::kafka {

class value;
using array_t = std::vector<value>;

struct struct_t {
    const struct_schema* schema = nullptr;
    std::vector<value> fields;
    bool operator==(const struct_t&) const;
};

struct records_t {
    std::string_view bytes;
    // A record set sent from a file instead (zero copy, kafka/answer.h):
    // its length, and its slot in the answer's file ranges; `bytes` is then
    // empty and the encoder leaves a hole of that length (frame.h splices).
    std::uint64_t external_length = 0;
    std::int32_t external_slot = -1;
    bool operator==(const records_t& o) const {
        return bytes == o.bytes && external_length == o.external_length && external_slot == o.external_slot;
    }
};

class value {
public:
    using storage = std::variant<std::monostate, std::int64_t, uuid_bytes, std::string, records_t, array_t, struct_t>;

    value() = default;  // null
    value(std::int64_t i) : v_(i) {}
    value(std::string s) : v_(std::move(s)) {}
    value(uuid_bytes u) : v_(u) {}
    value(records_t r) : v_(r) {}
    value(array_t a) : v_(std::move(a)) {}
    value(struct_t s) : v_(std::move(s)) {}

    // A struct of `schema` with every field at its default.
    static value make(const struct_schema& schema);
    // The default of one field (see the header comment).
    static value default_of(const field& f);

    bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
    const storage& raw() const { return v_; }

    // Leaf access.
    std::int64_t integer() const;
    std::string_view text() const;  // string or bytes; "" when null
    std::optional<std::string_view> nullable_text() const;
    const array_t& items() const;   // empty when null
    array_t& items();               // makes a null array empty first
    const struct_t& as_struct() const;
    struct_t& as_struct();

    // Struct access by field name.
    const value& at(std::string_view name) const;
    value& at(std::string_view name);
    bool boolean(std::string_view name) const { return at(name).integer() != 0; }
    std::int8_t i8(std::string_view name) const { return static_cast<std::int8_t>(at(name).integer()); }
    std::int16_t i16(std::string_view name) const { return static_cast<std::int16_t>(at(name).integer()); }
    std::int32_t i32(std::string_view name) const { return static_cast<std::int32_t>(at(name).integer()); }
    std::int64_t i64(std::string_view name) const { return at(name).integer(); }
    std::string_view str(std::string_view name) const { return at(name).text(); }
    std::optional<std::string_view> nullable_str(std::string_view name) const { return at(name).nullable_text(); }
    // nullopt for a null record set.
    std::optional<std::string_view> records(std::string_view name) const;
    const array_t& array(std::string_view name) const { return at(name).items(); }

    template <std::integral I>  // any width, bool too; a template so `set(n, 0)` is not a null char*
    value& set(std::string_view name, I i) { at(name) = value(static_cast<std::int64_t>(i)); return *this; }
    value& set(std::string_view name, std::string s) { at(name) = value(std::move(s)); return *this; }
    value& set(std::string_view name, const char* s) { return set(name, std::string(s)); }
    value& set_null(std::string_view name) { at(name) = value(); return *this; }
    value& set_records(std::string_view name, std::string_view bytes) { at(name) = value(records_t{bytes}); return *this; }
    // A record set of `length` bytes that file range `slot` of the answer sends.
    value& set_external_records(std::string_view name, std::uint64_t length, std::int32_t slot) {
        at(name) = value(records_t{{}, length, slot});
        return *this;
    }
    // Appends a default struct to the array field `name` and returns it.
    value& add(std::string_view name);

    bool operator==(const value&) const = default;

private:
    storage v_;
};

// A readable one-line rendering for test failures and logs:
// {error_code=0 api_keys=[{api_key=0 ...}] client_id=null}.
std::string to_debug_string(const value& v);

}  // namespace gafka::kafka
