// The reading half of record_json.h.
#include <algorithm>
#include <array>

#include <rapidjson/error/en.h>

#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"
#include "gafka/util/text.h"

namespace gafka::json {
namespace {

using value_t = rapidjson::Value;

std::optional<record_parse_error> bad(std::string m) { return record_parse_error{"bad_request", std::move(m), false}; }

// The fields a record object may have, found in one pass over its members.
enum field { topic_f, partition_f, offset_f, timestamp_f, key_f, key_b64_f, value_f, value_b64_f, headers_f, n_fields };
constexpr std::string_view field_names[n_fields] = {"topic", "partition", "offset", "timestamp", "key",
                                                    "key_b64", "value", "value_b64", "headers"};
using fields = std::array<const value_t*, n_fields>;  // null where absent

std::string_view view(const value_t& v) { return {v.GetString(), v.GetStringLength()}; }

std::optional<record_parse_error> find_fields(const value_t& obj, fields& out) {
    out.fill(nullptr);
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        auto k = view(it->name);
        auto f = std::find(std::begin(field_names), std::end(field_names), k) - std::begin(field_names);
        if (f == n_fields) return bad("unknown field '" + std::string(k) + "'");
        if (out[f]) return bad("field '" + std::string(k) + "' appears twice");
        out[f] = &it->value;
    }
    return std::nullopt;
}

std::string name_of(int f) { return std::string(field_names[f]); }

// key/key_b64 or value/value_b64: `plain` is key_f or value_f, its base64
// twin the field after it.
std::optional<record_parse_error> bytes_field(const fields& f, field plain, std::optional<std::string_view>& out,
                                              std::deque<std::string>& decoded) {
    const value_t* p = f[plain];
    const value_t* e = f[plain + 1];
    if (p && e) return bad("has both '" + name_of(plain) + "' and '" + name_of(plain + 1) + "'");
    if (p) {
        if (p->IsNull()) return std::nullopt;
        if (!p->IsString()) return bad("'" + name_of(plain) + "' must be a string or null");
        out = view(*p);
    } else if (e) {
        if (!e->IsString()) return bad("'" + name_of(plain + 1) + "' must be a base64 string");
        auto bytes = util::base64_decode(view(*e));
        if (!bytes) return bad("'" + name_of(plain + 1) + "' is not valid base64");
        out = decoded.emplace_back(std::move(*bytes));
    }
    return std::nullopt;
}

}  // namespace

std::optional<record_parse_error> read_record_object(const value_t& obj, parsed_record_text& out,
                                                     std::deque<std::string>& decoded) {
    if (!obj.IsObject()) return bad("a record must be a JSON object");
    fields f;
    if (auto e = find_fields(obj, f)) return e;
    if (f[topic_f]) {
        if (!f[topic_f]->IsString()) return bad("'topic' must be a string");
        out.topic = view(*f[topic_f]);
    }
    if (f[partition_f] && !f[partition_f]->IsNull()) {
        const auto& p = *f[partition_f];
        if (!p.IsInt() || p.GetInt() < 0) return bad("'partition' must be a non-negative integer");
        out.partition = p.GetInt();
    }
    if (f[timestamp_f]) {
        const auto& t = *f[timestamp_f];
        if (!t.IsInt64() || t.GetInt64() < 0) return bad("'timestamp' must be milliseconds since the epoch");
        out.record.timestamp = t.GetInt64();
        out.has_timestamp = true;
    }
    if (auto e = bytes_field(f, key_f, out.record.key, decoded)) return e;
    if (!f[value_f] && !f[value_b64_f])
        return record_parse_error{"missing_value", "a record needs 'value' (or 'value_b64')", false};
    if (auto e = bytes_field(f, value_f, out.record.value, decoded)) return e;
    if (f[headers_f]) {
        const auto& h = *f[headers_f];
        if (!h.IsObject()) return bad("'headers' must be an object of strings");
        for (auto it = h.MemberBegin(); it != h.MemberEnd(); ++it) {
            if (!it->value.IsString()) return bad("header values must be strings");
            out.record.headers.push_back({std::string(view(it->name)), std::string(view(it->value))});
        }
    }
    auto size = log::encoded_record_size(out.record.key, out.record.value, out.record.headers);
    if (size > log::max_record_bytes)
        return record_parse_error{"record_too_large",
                                  "record is " + std::to_string(size) + " bytes; the limit is " +
                                      std::to_string(log::max_record_bytes),
                                  true};
    return std::nullopt;
}

std::optional<record_parse_error> parse_record_object(const value_t& obj, parsed_record& out) {
    parsed_record_text text;
    std::deque<std::string> decoded;
    if (auto e = read_record_object(obj, text, decoded)) return e;
    auto own = [](std::optional<std::string_view> v) { return v ? std::optional<std::string>(*v) : std::nullopt; };
    out.topic = own(text.topic);
    out.partition = text.partition;
    out.has_timestamp = text.has_timestamp;
    out.record.timestamp = text.record.timestamp;
    out.record.key = own(text.record.key);
    out.record.value = own(text.record.value);
    out.record.headers = std::move(text.record.headers);
    return std::nullopt;
}

std::optional<record_parse_error> parse_record_line(std::string_view line, parsed_record& out) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(line.data(), line.size());
    if (d.HasParseError())
        return record_parse_error{"invalid_json",
                                  "invalid JSON at byte " + std::to_string(d.GetErrorOffset()) + ": " +
                                      rapidjson::GetParseError_En(d.GetParseError()),
                                  false};
    return parse_record_object(d, out);
}

}  // namespace gafka::json
