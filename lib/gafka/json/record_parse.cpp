// The reading half of record_json.h.
#include <rapidjson/error/en.h>

#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"
#include "gafka/util/text.h"

namespace gafka::json {
namespace {

using value_t = rapidjson::Value;

std::optional<record_parse_error> bad(std::string m) { return record_parse_error{"bad_request", std::move(m), false}; }

std::optional<record_parse_error> bytes_field(const value_t& obj, const char* name, std::optional<std::string>& out) {
    std::string b64 = std::string(name) + "_b64";
    bool plain = obj.HasMember(name), encoded = obj.HasMember(b64.c_str());
    if (plain && encoded) return bad("has both '" + std::string(name) + "' and '" + b64 + "'");
    if (plain) {
        const auto& v = obj[name];
        if (v.IsNull()) return std::nullopt;
        if (!v.IsString()) return bad("'" + std::string(name) + "' must be a string or null");
        out = std::string(v.GetString(), v.GetStringLength());
    } else if (encoded) {
        const auto& v = obj[b64.c_str()];
        if (!v.IsString()) return bad("'" + b64 + "' must be a base64 string");
        auto decoded = util::base64_decode(std::string_view(v.GetString(), v.GetStringLength()));
        if (!decoded) return bad("'" + b64 + "' is not valid base64");
        out = std::move(*decoded);
    }
    return std::nullopt;
}

bool known_field(std::string_view k) {
    for (auto f : {"topic", "partition", "offset", "timestamp", "key", "key_b64", "value", "value_b64", "headers"})
        if (k == f) return true;
    return false;
}

}  // namespace

std::optional<record_parse_error> parse_record_object(const value_t& obj, parsed_record& out) {
    if (!obj.IsObject()) return bad("a record must be a JSON object");
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        std::string_view k(it->name.GetString(), it->name.GetStringLength());
        if (!known_field(k)) return bad("unknown field '" + std::string(k) + "'");
        for (auto prev = obj.MemberBegin(); prev != it; ++prev)  // at most 9 known fields
            if (k == std::string_view(prev->name.GetString(), prev->name.GetStringLength()))
                return bad("field '" + std::string(k) + "' appears twice");
    }
    if (obj.HasMember("topic")) {
        if (!obj["topic"].IsString()) return bad("'topic' must be a string");
        out.topic = std::string(obj["topic"].GetString(), obj["topic"].GetStringLength());
    }
    if (obj.HasMember("partition") && !obj["partition"].IsNull()) {
        const auto& p = obj["partition"];
        if (!p.IsInt() || p.GetInt() < 0) return bad("'partition' must be a non-negative integer");
        out.partition = p.GetInt();
    }
    if (obj.HasMember("timestamp")) {
        const auto& t = obj["timestamp"];
        if (!t.IsInt64() || t.GetInt64() < 0) return bad("'timestamp' must be milliseconds since the epoch");
        out.record.timestamp = t.GetInt64();
        out.has_timestamp = true;
    }
    if (auto e = bytes_field(obj, "key", out.record.key)) return e;
    if (!obj.HasMember("value") && !obj.HasMember("value_b64"))
        return record_parse_error{"missing_value", "a record needs 'value' (or 'value_b64')", false};
    if (auto e = bytes_field(obj, "value", out.record.value)) return e;
    if (obj.HasMember("headers")) {
        const auto& h = obj["headers"];
        if (!h.IsObject()) return bad("'headers' must be an object of strings");
        for (auto it = h.MemberBegin(); it != h.MemberEnd(); ++it) {
            if (!it->value.IsString()) return bad("header values must be strings");
            out.record.headers.push_back({std::string(it->name.GetString(), it->name.GetStringLength()),
                                          std::string(it->value.GetString(), it->value.GetStringLength())});
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
