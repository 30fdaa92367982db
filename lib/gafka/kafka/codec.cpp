#include "gafka/kafka/codec.h"

#include <algorithm>

namespace gafka::kafka {

namespace {

struct walk {
    api_version_t version;
    bool flexible;

    // The fewest bytes one element of `f` can take, so an array count can be
    // checked against the bytes left before anything is allocated.
    std::size_t min_size(type t, const struct_schema* sub) const {
        switch (t) {
        case type::boolean:
        case type::int8: return 1;
        case type::int16: return 2;
        case type::int32:
        case type::uint32: return 4;
        case type::int64:
        case type::float64: return 8;
        case type::uuid: return 16;
        case type::string: return flexible ? 1 : 2;
        case type::bytes:
        case type::records:
        case type::array: return flexible ? 1 : 4;
        case type::structure: {
            std::size_t n = flexible ? 1 : 0;  // the tagged-field count
            for (const field& f : sub->fields)
                if (f.present.contains(version) && !f.is_tagged()) n += min_size(f.kind, f.sub);
            return n;
        }
        }
        return 1;
    }

    value read_scalar(type t, bool nullable, reader& in) const {
        switch (t) {
        case type::boolean: return value(std::int64_t{in.i8() != 0});
        case type::int8: return value(std::int64_t{in.i8()});
        case type::int16: return value(std::int64_t{in.i16()});
        case type::int32: return value(std::int64_t{in.i32()});
        case type::uint32: return value(std::int64_t{in.u32()});
        case type::int64: return value(in.i64());
        case type::float64: return value(in.i64());  // the bits; see value.h
        case type::uuid: return value(in.uuid());
        case type::string:
        case type::bytes: {
            auto s = t == type::string ? in.string(flexible, nullable) : in.bytes(flexible, nullable);
            return s ? value(std::string(*s)) : value();
        }
        case type::records: {
            auto b = in.bytes(flexible, nullable);
            return b ? value(records_t{*b}) : value();
        }
        default: return value();
        }
    }

    value read_field(const field& f, reader& in) const {
        bool nullable = f.nullable.contains(version);
        if (f.kind == type::structure) return read_struct(*f.sub, in);
        if (f.kind != type::array) return read_scalar(f.kind, nullable, in);
        auto n = in.array_length(flexible, nullable, std::max<std::size_t>(1, min_size(f.element, f.sub)));
        if (!n) return value();
        array_t items;
        items.reserve(*n);
        for (std::size_t i = 0; i < *n && in.ok(); ++i)
            items.push_back(f.element == type::structure ? read_struct(*f.sub, in) : read_scalar(f.element, false, in));
        return value(std::move(items));
    }

    value read_struct(const struct_schema& s, reader& in) const {
        struct_t v{&s, {}};
        std::vector<value>& fields = v.fields;
        fields.reserve(s.fields.size());
        for (const field& f : s.fields) fields.push_back(value::default_of(f));
        for (std::size_t i = 0; i < s.fields.size() && in.ok(); ++i) {
            const field& f = s.fields[i];
            if (f.present.contains(version) && !f.is_tagged()) fields[i] = read_field(f, in);
        }
        if (flexible && in.ok()) read_tagged(s, fields, in);
        return value(std::move(v));
    }

    void read_tagged(const struct_schema& s, std::vector<value>& fields, reader& in) const {
        std::uint32_t count = in.uvarint();
        for (std::uint32_t k = 0; k < count && in.ok(); ++k) {
            std::uint32_t tag = in.uvarint();
            std::uint32_t size = in.uvarint();
            std::string_view data = in.raw(size);
            if (!in.ok()) return;
            for (std::size_t i = 0; i < s.fields.size(); ++i) {
                const field& f = s.fields[i];
                if (!f.is_tagged() || static_cast<std::uint32_t>(f.tag) != tag || !f.present.contains(version)) continue;
                reader sub(data);
                fields[i] = read_field(f, sub);
                if (!sub.ok()) in.fail("malformed tagged field");
            }
        }
    }

    void write_scalar(type t, const value& v, writer& out) const {
        auto integer = [&] { return std::holds_alternative<std::int64_t>(v.raw()) ? v.integer() : 0; };
        switch (t) {
        case type::boolean: out.boolean(integer() != 0); break;
        case type::int8: out.i8(static_cast<std::int8_t>(integer())); break;
        case type::int16: out.i16(static_cast<std::int16_t>(integer())); break;
        case type::int32: out.i32(static_cast<std::int32_t>(integer())); break;
        case type::uint32: out.u32(static_cast<std::uint32_t>(integer())); break;
        case type::int64:
        case type::float64: out.i64(integer()); break;
        case type::uuid: {
            const auto* u = std::get_if<uuid_bytes>(&v.raw());
            out.uuid(u ? *u : uuid_bytes{});
            break;
        }
        case type::string: {
            auto s = v.nullable_text();
            if (s && !flexible && s->size() > 0x7fff) s = s->substr(0, 0x7fff);
            out.string(s, flexible);
            break;
        }
        case type::bytes: out.bytes(v.nullable_text(), flexible); break;
        case type::records: {
            const auto* r = std::get_if<records_t>(&v.raw());
            if (r && r->external_slot >= 0) out.external_bytes(r->external_length, r->external_slot, flexible);
            else out.bytes(r ? std::optional<std::string_view>(r->bytes) : std::nullopt, flexible);
            break;
        }
        default: break;
        }
    }

    void write_field(const field& f, const value& v, writer& out) const {
        bool nullable = f.nullable.contains(version);
        if (f.kind == type::structure) {
            write_struct(*f.sub, v.is_null() ? value::make(*f.sub) : v, out);
        } else if (f.kind != type::array) {
            // A null where the version allows none is written as empty.
            if (v.is_null() && !nullable && f.kind != type::records) write_scalar(f.kind, value::default_of(field{f.name, f.kind}), out);
            else write_scalar(f.kind, v, out);
        } else if (v.is_null() && nullable) {
            out.array_length(std::nullopt, flexible);
        } else {
            const array_t& items = v.items();
            out.array_length(items.size(), flexible);
            for (const value& item : items) {
                if (f.element == type::structure) write_struct(*f.sub, item, out);
                else write_scalar(f.element, item, out);
            }
        }
    }

    void write_struct(const struct_schema& s, const value& v, writer& out) const {
        const auto& fields = v.as_struct().fields;
        for (std::size_t i = 0; i < s.fields.size(); ++i) {
            const field& f = s.fields[i];
            if (f.present.contains(version) && !f.is_tagged()) write_field(f, fields[i], out);
        }
        if (!flexible) return;
        // Tagged fields go out in ascending tag order, and only when not default.
        std::vector<std::size_t> tagged;
        for (std::size_t i = 0; i < s.fields.size(); ++i) {
            const field& f = s.fields[i];
            if (f.is_tagged() && f.present.contains(version) && !(fields[i] == value::default_of(f))) tagged.push_back(i);
        }
        std::sort(tagged.begin(), tagged.end(), [&](auto a, auto b) { return s.fields[a].tag < s.fields[b].tag; });
        out.uvarint(static_cast<std::uint32_t>(tagged.size()));
        for (std::size_t i : tagged) {
            std::string body;
            writer w(body);
            write_field(s.fields[i], fields[i], w);
            out.uvarint(static_cast<std::uint32_t>(s.fields[i].tag));
            out.uvarint(static_cast<std::uint32_t>(body.size()));
            out.raw(body);
        }
    }
};

}  // namespace

result<value> decode(const struct_schema& schema, api_version_t version, bool flexible, reader& in) {
    value v = walk{version, flexible}.read_struct(schema, in);
    if (!in.ok()) return in.error();
    return v;
}

void encode(const struct_schema& schema, api_version_t version, bool flexible, const value& v, writer& out) {
    walk{version, flexible}.write_struct(schema, v, out);
}

}  // namespace gafka::kafka
