#include "gafka/http/produce_request.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "gafka/broker/names.h"
#include "gafka/log/batch.h"
#include "gafka/util/text.h"

namespace gafka::http {
namespace {

using value_t = rapidjson::Value;

std::optional<api_error> bytes_field(const value_t& obj, const char* name, std::optional<std::string>& out,
                                     const std::string& where) {
    std::string b64 = std::string(name) + "_b64";
    bool plain = obj.HasMember(name), encoded = obj.HasMember(b64.c_str());
    if (plain && encoded) return api_error::bad_request(where + "has both '" + name + "' and '" + b64 + "'");
    if (plain) {
        const auto& v = obj[name];
        if (v.IsNull()) return std::nullopt;
        if (!v.IsString()) return api_error::bad_request(where + "'" + name + "' must be a string or null");
        out = std::string(v.GetString(), v.GetStringLength());
    } else if (encoded) {
        const auto& v = obj[b64.c_str()];
        if (!v.IsString()) return api_error::bad_request(where + "'" + b64 + "' must be a base64 string");
        auto decoded = util::base64_decode(std::string_view(v.GetString(), v.GetStringLength()));
        if (!decoded) return api_error::bad_request(where + "'" + b64 + "' is not valid base64");
        out = std::move(*decoded);
    }
    return std::nullopt;
}

bool known_field(std::string_view k) {
    for (auto f : {"topic", "partition", "offset", "timestamp", "key", "key_b64", "value", "value_b64", "headers"})
        if (k == f) return true;
    return false;
}

// One record object; `where` prefixes messages ("record 3: ", "line 7: ").
std::optional<api_error> parse_record(const value_t& obj, const std::string& where, produce_record& out) {
    if (!obj.IsObject()) return api_error::bad_request(where + "a record must be a JSON object");
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        std::string_view k(it->name.GetString(), it->name.GetStringLength());
        if (!known_field(k)) return api_error::bad_request(where + "unknown field '" + std::string(k) + "'");
    }
    if (obj.HasMember("partition")) {
        const auto& p = obj["partition"];
        if (!p.IsInt() || p.GetInt() < 0)
            return api_error::bad_request(where + "'partition' must be a non-negative integer");
        out.partition = p.GetInt();
    }
    if (obj.HasMember("timestamp")) {
        const auto& t = obj["timestamp"];
        if (!t.IsInt64() || t.GetInt64() < 0)
            return api_error::bad_request(where + "'timestamp' must be milliseconds since the epoch");
        out.record.timestamp = t.GetInt64();
        out.has_timestamp = true;
    }
    if (auto e = bytes_field(obj, "key", out.record.key, where)) return e;
    if (!obj.HasMember("value") && !obj.HasMember("value_b64"))
        return api_error::invalid("missing_value", where + "a record needs 'value' (or 'value_b64')");
    if (auto e = bytes_field(obj, "value", out.record.value, where)) return e;
    if (obj.HasMember("headers")) {
        const auto& h = obj["headers"];
        if (!h.IsObject()) return api_error::bad_request(where + "'headers' must be an object of strings");
        for (auto it = h.MemberBegin(); it != h.MemberEnd(); ++it) {
            if (!it->value.IsString()) return api_error::bad_request(where + "header values must be strings");
            out.record.headers.push_back({std::string(it->name.GetString(), it->name.GetStringLength()),
                                          std::string(it->value.GetString(), it->value.GetStringLength())});
        }
    }
    auto size = log::encoded_record_size(out.record.key, out.record.value, out.record.headers);
    if (size > broker::max_record_bytes)
        return api_error::too_large("record_too_large", where + "record is " + std::to_string(size) +
                                                            " bytes; the limit is " +
                                                            std::to_string(broker::max_record_bytes));
    return std::nullopt;
}

// The topic a record names, checked against the one already chosen.
std::optional<api_error> topic_of(const value_t& obj, const std::string& where, std::string& topic) {
    if (!obj.IsObject() || !obj.HasMember("topic")) return std::nullopt;
    const auto& t = obj["topic"];
    if (!t.IsString()) return api_error::bad_request(where + "'topic' must be a string");
    std::string name(t.GetString(), t.GetStringLength());
    if (topic.empty()) topic = name;
    else if (name != topic)
        return api_error::bad_request(where + "topic '" + name + "' differs from '" + topic +
                                      "'; one request writes to one topic");
    return std::nullopt;
}

std::optional<api_error> check_topic(const std::string& topic) {
    if (topic.empty()) return api_error::invalid("missing_topic", "the request names no topic");
    if (auto s = broker::check_topic_name(topic); !s.ok()) return api_error::invalid("invalid_topic", s.message());
    return std::nullopt;
}

// Without kParseStopWhenDoneFlag, trailing data after the object is an error.
constexpr auto parse_flags = rapidjson::kParseValidateEncodingFlag;

api_error json_error(const rapidjson::Document& d, const std::string& where) {
    return api_error::invalid("invalid_json", where + "invalid JSON at byte " + std::to_string(d.GetErrorOffset()) +
                                                  ": " + rapidjson::GetParseError_En(d.GetParseError()));
}

bool only_space(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

produce_parse_result parse_produce_json(std::string_view body, const std::optional<std::string>& topic_param) {
    rapidjson::Document d;
    d.Parse<parse_flags>(body.data(), body.size());
    if (d.HasParseError()) return {{}, json_error(d, "")};
    if (!d.IsObject()) return {{}, api_error::bad_request("the body must be a JSON object")};
    produce_request req;
    req.topic = topic_param.value_or("");
    if (auto e = topic_of(d, "", req.topic)) return {{}, e};
    if (d.HasMember("records")) {
        const auto& recs = d["records"];
        if (!recs.IsArray()) return {{}, api_error::bad_request("'records' must be an array")};
        if (recs.Empty()) return {{}, api_error::bad_request("'records' is empty")};
        for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
            std::string_view k(it->name.GetString(), it->name.GetStringLength());
            if (k != "topic" && k != "records")
                return {{}, api_error::bad_request("unknown field '" + std::string(k) + "' beside 'records'")};
        }
        for (rapidjson::SizeType i = 0; i < recs.Size(); ++i) {
            auto where = "record " + std::to_string(i) + ": ";
            if (auto e = topic_of(recs[i], where, req.topic)) return {{}, e};
            produce_record r;
            if (auto e = parse_record(recs[i], where, r)) return {{}, e};
            req.records.push_back(std::move(r));
        }
    } else {
        req.single = true;
        produce_record r;
        if (auto e = parse_record(d, "", r)) return {{}, e};
        req.records.push_back(std::move(r));
    }
    if (auto e = check_topic(req.topic)) return {{}, e};
    return {std::move(req), {}};
}

produce_parse_result parse_produce_ndjson(std::string_view body, const std::optional<std::string>& topic_param) {
    produce_request req;
    req.topic = topic_param.value_or("");
    std::size_t line_no = 0;
    while (!body.empty()) {
        auto nl = body.find('\n');
        auto line = body.substr(0, nl);
        body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
        ++line_no;
        if (only_space(line)) continue;
        auto where = "line " + std::to_string(line_no) + ": ";
        rapidjson::Document d;
        d.Parse<parse_flags>(line.data(), line.size());
        if (d.HasParseError()) return {{}, json_error(d, where)};
        if (auto e = topic_of(d, where, req.topic)) return {{}, e};
        produce_record r;
        if (auto e = parse_record(d, where, r)) return {{}, e};
        req.records.push_back(std::move(r));
    }
    if (req.records.empty()) return {{}, api_error::bad_request("the body holds no records")};
    if (auto e = check_topic(req.topic)) return {{}, e};
    return {std::move(req), {}};
}

}  // namespace gafka::http
