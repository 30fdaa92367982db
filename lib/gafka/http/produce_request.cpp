#include "gafka/http/produce_request.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "gafka/broker/names.h"
#include "gafka/log/batch.h"
#include "gafka/json/record_json.h"

namespace gafka::http {
namespace {

using value_t = rapidjson::Value;

api_error to_api_error(const json::record_parse_error& e, const std::string& where) {
    if (e.too_large) return api_error::too_large(e.code, where + e.message);
    return api_error::invalid(e.code, where + e.message);
}

std::optional<api_error> parse_record(const value_t& obj, const std::string& where, produce_record& out) {
    json::parsed_record parsed;
    if (auto e = json::parse_record_object(obj, parsed)) return to_api_error(*e, where);
    out.partition = parsed.partition;
    out.has_timestamp = parsed.has_timestamp;
    out.record = std::move(parsed.record);
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
