#pragma once
// Kafka messages as data (STYLE.md "Protocols and layers"): each API's request
// and response is a constexpr list of field descriptors, written once per API
// in kafka/messages/, after Apache Kafka's clients/.../common/message/*.json.
// One generic reader and one writer (kafka/codec.h) walk a list for a given
// version; nothing else knows a message's layout.
//
// A field says which versions it exists in, in which it may be null, and, for
// flexible versions, whether it is a tagged field. Arrays name their element:
// a scalar type or a nested struct. Versions are inclusive ranges; `since(n)`
// is Kafka's "n+". All descriptors are constexpr with static storage, so
// pointers between them (a field's nested struct) live forever.
#include <cstdint>
#include <span>
#include <string_view>

namespace gafka::kafka {

using api_version_t = std::int16_t;
using api_key_t = std::int16_t;

struct versions {
    api_version_t min = 1;  // empty by default: min > max
    api_version_t max = 0;
    constexpr bool contains(api_version_t v) const { return v >= min && v <= max; }
    constexpr bool empty() const { return min > max; }
};
inline constexpr api_version_t max_api_version = 0x7fff;
constexpr versions since(api_version_t v) { return {v, max_api_version}; }
constexpr versions range(api_version_t lo, api_version_t hi) { return {lo, hi}; }
constexpr versions only(api_version_t v) { return {v, v}; }
inline constexpr versions never{};

// Wire types. `array` and `structure` carry their element in field::element /
// field::sub; `records` is a record set kept as raw bytes (nullable bytes on
// the wire), never parsed by the codec.
enum class type : std::uint8_t {
    boolean, int8, int16, int32, int64, uint32, float64, uuid, string, bytes, records, array, structure,
};

struct struct_schema;

struct field {
    std::string_view name;
    type kind = type::int32;
    versions present = since(0);
    versions nullable = never;
    type element = type::structure;     // arrays only
    const struct_schema* sub = nullptr;  // arrays of structs and structures
    std::int32_t tag = -1;               // >= 0: a tagged field in flexible versions
    std::int64_t default_int = 0;        // the value of an integer field where absent

    constexpr field null_in(versions v) const { field f = *this; f.nullable = v; return f; }
    constexpr field def(std::int64_t v) const { field f = *this; f.default_int = v; return f; }
    constexpr field tagged(std::int32_t t) const { field f = *this; f.tag = t; return f; }
    constexpr bool is_tagged() const { return tag >= 0; }
};

struct struct_schema {
    std::string_view name;
    std::span<const field> fields;
};

// One API: the versions gafka serves (a subset of Kafka's), the first flexible
// version (compact strings and arrays, tagged fields, header v2/v1), and the
// request and response bodies.
struct api_schema {
    std::string_view name;
    api_key_t key;
    versions supported;
    api_version_t flexible_from;  // max_api_version: never flexible in the served range
    const struct_schema* request;
    const struct_schema* response;
    constexpr bool flexible(api_version_t v) const { return v >= flexible_from; }
};

// Builders, so a table row reads like the Kafka JSON it came from:
//   f::i32("timeout_ms", since(0)), f::str("rack", since(1)).null_in(since(1)),
//   f::array_of("topics", metadata_topic, since(0)), f::array_of(type::int32, "isr_nodes", since(0)).
namespace f {
constexpr field scalar(type t, std::string_view n, versions v) { return field{n, t, v}; }
constexpr field boolean(std::string_view n, versions v) { return scalar(type::boolean, n, v); }
constexpr field i8(std::string_view n, versions v) { return scalar(type::int8, n, v); }
constexpr field i16(std::string_view n, versions v) { return scalar(type::int16, n, v); }
constexpr field i32(std::string_view n, versions v) { return scalar(type::int32, n, v); }
constexpr field i64(std::string_view n, versions v) { return scalar(type::int64, n, v); }
constexpr field u32(std::string_view n, versions v) { return scalar(type::uint32, n, v); }
constexpr field f64(std::string_view n, versions v) { return scalar(type::float64, n, v); }
constexpr field uuid(std::string_view n, versions v) { return scalar(type::uuid, n, v); }
constexpr field str(std::string_view n, versions v) { return scalar(type::string, n, v); }
constexpr field bytes(std::string_view n, versions v) { return scalar(type::bytes, n, v); }
constexpr field records(std::string_view n, versions v) { return scalar(type::records, n, v); }
constexpr field array_of(const struct_schema& s, std::string_view n, versions v) {
    return field{n, type::array, v, never, type::structure, &s};
}
constexpr field array_of(type element, std::string_view n, versions v) { return field{n, type::array, v, never, element}; }
constexpr field structure(const struct_schema& s, std::string_view n, versions v) {
    return field{n, type::structure, v, never, type::structure, &s};
}
}  // namespace f

// The index of the field named `name` in `s`, or -1.
constexpr int field_index(const struct_schema& s, std::string_view name) {
    for (std::size_t i = 0; i < s.fields.size(); ++i)
        if (s.fields[i].name == name) return static_cast<int>(i);
    return -1;
}

}  // namespace gafka::kafka
