#include "gafka/kafka/value.h"

#include <cassert>

namespace gafka::kafka {

bool struct_t::operator==(const struct_t& o) const { return schema == o.schema && fields == o.fields; }

value value::default_of(const field& f) {
    if (!f.nullable.empty()) return value();
    switch (f.kind) {
    case type::string:
    case type::bytes: return value(std::string());
    case type::uuid: return value(uuid_bytes{});
    case type::records: return value(records_t{});
    case type::array: return value(array_t{});
    case type::structure: return make(*f.sub);
    default: return value(f.default_int);
    }
}

value value::make(const struct_schema& schema) {
    struct_t s{&schema, {}};
    s.fields.reserve(schema.fields.size());
    for (const field& f : schema.fields) s.fields.push_back(default_of(f));
    return value(std::move(s));
}

std::int64_t value::integer() const {
    const auto* i = std::get_if<std::int64_t>(&v_);
    assert(i != nullptr);
    return i ? *i : 0;
}

std::string_view value::text() const {
    const auto* s = std::get_if<std::string>(&v_);
    assert(s != nullptr || is_null());
    return s ? std::string_view(*s) : std::string_view();
}

std::optional<std::string_view> value::nullable_text() const {
    if (is_null()) return std::nullopt;
    return text();
}

const array_t& value::items() const {
    static const array_t empty;
    const auto* a = std::get_if<array_t>(&v_);
    assert(a != nullptr || is_null());
    return a ? *a : empty;
}

array_t& value::items() {
    if (is_null()) v_ = array_t{};
    assert(std::holds_alternative<array_t>(v_));
    return std::get<array_t>(v_);
}

const struct_t& value::as_struct() const {
    assert(std::holds_alternative<struct_t>(v_));
    return std::get<struct_t>(v_);
}

struct_t& value::as_struct() {
    assert(std::holds_alternative<struct_t>(v_));
    return std::get<struct_t>(v_);
}

const value& value::at(std::string_view name) const {
    static const value null;
    const auto* s = std::get_if<struct_t>(&v_);
    assert(s != nullptr);
    if (s == nullptr) return null;
    int i = field_index(*s->schema, name);
    assert(i >= 0 && "no such field in this message");
    return i < 0 ? null : s->fields[static_cast<std::size_t>(i)];
}

value& value::at(std::string_view name) {
    static value scratch;  // release-build sink for a misspelt name
    auto* s = std::get_if<struct_t>(&v_);
    assert(s != nullptr);
    if (s == nullptr) return scratch = value();
    int i = field_index(*s->schema, name);
    assert(i >= 0 && "no such field in this message");
    return i < 0 ? (scratch = value()) : s->fields[static_cast<std::size_t>(i)];
}

std::optional<std::string_view> value::records(std::string_view name) const {
    const value& v = at(name);
    if (const auto* r = std::get_if<records_t>(&v.v_)) return r->bytes;
    return std::nullopt;
}

value& value::add(std::string_view name) {
    auto* s = std::get_if<struct_t>(&v_);
    assert(s != nullptr);
    static value scratch;
    if (s == nullptr) return scratch = value();
    int i = field_index(*s->schema, name);
    assert(i >= 0 && s->schema->fields[static_cast<std::size_t>(i)].sub != nullptr);
    if (i < 0) return scratch = value();
    const field& f = s->schema->fields[static_cast<std::size_t>(i)];
    if (f.sub == nullptr) return scratch = value();
    array_t& a = s->fields[static_cast<std::size_t>(i)].items();
    a.push_back(make(*f.sub));
    return a.back();
}

namespace {

void render(const value& v, std::string& out) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) out += "null";
            else if constexpr (std::is_same_v<T, std::int64_t>) out += std::to_string(x);
            else if constexpr (std::is_same_v<T, uuid_bytes>) {
                static const char hex[] = "0123456789abcdef";
                for (auto b : x) { out += hex[b >> 4]; out += hex[b & 15]; }
            } else if constexpr (std::is_same_v<T, std::string>) {
                out += '"';
                out += x;
                out += '"';
            } else if constexpr (std::is_same_v<T, records_t>) out += "<records " + std::to_string(x.bytes.size()) + " bytes>";
            else if constexpr (std::is_same_v<T, array_t>) {
                out += '[';
                for (std::size_t i = 0; i < x.size(); ++i) { if (i) out += ' '; render(x[i], out); }
                out += ']';
            } else {
                out += '{';
                for (std::size_t i = 0; i < x.fields.size(); ++i) {
                    if (i) out += ' ';
                    out += x.schema->fields[i].name;
                    out += '=';
                    render(x.fields[i], out);
                }
                out += '}';
            }
        },
        v.raw());
}

}  // namespace

std::string to_debug_string(const value& v) {
    std::string out;
    render(v, out);
    return out;
}

}  // namespace gafka::kafka
