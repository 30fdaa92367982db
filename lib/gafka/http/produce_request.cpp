#include "gafka/http/produce_request.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"
#include "gafka/rules/names.h"
#include "gafka/util/text.h"

namespace gafka::http {
namespace {

using value_t = rapidjson::Value;
// Where in the body a record is ("record 3: ", "line 4: "), for messages;
// built only when there is something to report.
using where_fn = std::string (*)(std::size_t);
std::string no_where(std::size_t) { return ""; }
std::string record_where(std::size_t i) { return "record " + std::to_string(i) + ": "; }
std::string line_where(std::size_t n) { return "line " + std::to_string(n) + ": "; }

api_error to_api_error(const json::record_parse_error& e, const std::string& where) {
    if (e.too_large) return api_error::too_large(e.code, where + e.message);
    return api_error::invalid(e.code, where + e.message);
}

std::optional<api_error> parse_record(const value_t& obj, where_fn where, std::size_t at, produce_request& req) {
    produce_record r;
    if (auto e = json::read_record_object(obj, r, req.decoded)) return to_api_error(*e, where(at));
    req.records.push_back(std::move(r));
    return std::nullopt;
}

// A copy of the body, NUL-terminated, for the in-place parser.
std::vector<char> parse_buffer(std::string_view body) {
    std::vector<char> text;
    text.reserve(body.size() + 1);
    text.assign(body.begin(), body.end());
    text.push_back('\0');
    return text;
}

// The topic a record names, checked against the one already chosen.
std::optional<api_error> topic_of(const value_t& obj, where_fn where, std::size_t at, std::string& topic) {
    if (!obj.IsObject()) return std::nullopt;
    auto t = obj.FindMember("topic");
    if (t == obj.MemberEnd()) return std::nullopt;
    if (!t->value.IsString()) return api_error::bad_request(where(at) + "'topic' must be a string");
    std::string_view name(t->value.GetString(), t->value.GetStringLength());
    if (topic.empty()) topic = name;
    else if (name != topic)
        return api_error::bad_request(where(at) + "topic '" + std::string(name) + "' differs from '" + topic +
                                      "'; one request writes to one topic");
    return std::nullopt;
}

std::optional<api_error> check_topic(const std::string& topic) {
    if (topic.empty()) return api_error::invalid("missing_topic", "the request names no topic");
    if (auto s = rules::check_topic_name(topic); !s.ok()) return api_error::invalid("invalid_topic", s.message());
    return std::nullopt;
}

// Bodies are parsed in place (strings point into a copy of the body, no
// allocation per string). Without kParseStopWhenDoneFlag, trailing data
// after the object is an error. UTF-8 is checked once for the whole body,
// ASCII eight bytes at a time, instead of per character by the parser.
constexpr auto parse_flags = rapidjson::kParseIterativeFlag;  // no recursion: deep nesting cannot exhaust the stack

api_error json_error(const rapidjson::Document& d, const std::string& where) {
    return api_error::invalid("invalid_json", where + "invalid JSON at byte " + std::to_string(d.GetErrorOffset()) +
                                                  ": " + rapidjson::GetParseError_En(d.GetParseError()));
}

// A body the in-place parser can take: valid UTF-8 and no NUL byte (which
// would end the text early). JSON never needs either.
std::optional<api_error> check_text(std::string_view body) {
    if (!util::is_valid_utf8(body))
        return api_error::invalid("invalid_json", "the body is not valid UTF-8 (send such bytes as value_b64)");
    if (body.find('\0') != std::string_view::npos)
        return api_error::invalid("invalid_json", "the body holds a NUL byte (send such bytes as value_b64)");
    return std::nullopt;
}

bool only_space(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

produce_parse_result parse_produce_json(std::string_view body, const std::optional<std::string>& topic_param) {
    if (auto e = check_text(body)) return {{}, e};
    produce_request req;
    req.text = parse_buffer(body);
    rapidjson::Document d;
    d.ParseInsitu<parse_flags>(req.text.data());
    if (d.HasParseError()) return {{}, json_error(d, "")};
    if (!d.IsObject()) return {{}, api_error::bad_request("the body must be a JSON object")};
    req.topic = topic_param.value_or("");
    if (auto e = topic_of(d, no_where, 0, req.topic)) return {{}, e};
    if (d.HasMember("records")) {
        const auto& recs = d["records"];
        if (!recs.IsArray()) return {{}, api_error::bad_request("'records' must be an array")};
        if (recs.Empty()) return {{}, api_error::bad_request("'records' is empty")};
        for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
            std::string_view k(it->name.GetString(), it->name.GetStringLength());
            if (k != "topic" && k != "records")
                return {{}, api_error::bad_request("unknown field '" + std::string(k) + "' beside 'records'")};
        }
        req.records.reserve(recs.Size());
        for (rapidjson::SizeType i = 0; i < recs.Size(); ++i) {
            if (auto e = topic_of(recs[i], record_where, i, req.topic)) return {{}, e};
            if (auto e = parse_record(recs[i], record_where, i, req)) return {{}, e};
        }
    } else {
        req.single = true;
        if (auto e = parse_record(d, no_where, 0, req)) return {{}, e};
    }
    if (auto e = check_topic(req.topic)) return {{}, e};
    return {std::move(req), {}};
}

produce_parse_result parse_produce_ndjson(std::string_view body, const std::optional<std::string>& topic_param) {
    if (auto e = check_text(body)) return {{}, e};
    produce_request req;
    req.topic = topic_param.value_or("");
    req.text = parse_buffer(body);  // each line is cut at its newline and parsed in place
    std::string_view text(req.text.data(), body.size());
    std::size_t line_no = 0;
    rapidjson::Document d;
    for (std::size_t pos = 0; pos < text.size();) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        req.text[nl] = '\0';  // req.text[text.size()] is the terminating NUL already
        std::string_view line(text.data() + pos, nl - pos);
        char* start = req.text.data() + pos;
        pos = nl + 1;
        ++line_no;
        if (only_space(line)) continue;
        d.ParseInsitu<parse_flags>(start);
        if (d.HasParseError()) return {{}, json_error(d, line_where(line_no))};
        if (auto e = topic_of(d, line_where, line_no, req.topic)) return {{}, e};
        if (auto e = parse_record(d, line_where, line_no, req)) return {{}, e};
    }
    if (req.records.empty()) return {{}, api_error::bad_request("the body holds no records")};
    if (auto e = check_topic(req.topic)) return {{}, e};
    return {std::move(req), {}};
}

}  // namespace gafka::http
