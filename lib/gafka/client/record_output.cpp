#include "gafka/client/record_output.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/util/text.h"

namespace gafka::client {
namespace {

// Appends the bytes of a JSON string token from a canonical record, whose
// only escapes are \" \\ \b \f \n \r \t and \u00XX (json/consume_answer.h);
// false when the token is not a string.
bool append_unescaped(std::string& out, std::string_view token) {
    if (token.size() < 2 || token.front() != '"') return false;
    auto s = token.substr(1, token.size() - 2);
    for (std::size_t i = 0;;) {
        auto escape = s.find('\\', i);
        out.append(s.data() + i, std::min(escape, s.size()) - i);
        if (escape == std::string_view::npos) return true;
        char c = s[escape + 1];
        i = escape + 2;
        switch (c) {
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {  // \u00XX, upper-case hex
                auto hex = [](char h) { return h <= '9' ? h - '0' : h - 'A' + 10; };
                out += static_cast<char>(hex(s[escape + 4]) * 16 + hex(s[escape + 5]));
                i = escape + 6;
                break;
            }
            default: out += c;  // \" or \\ (canonical text has no other)
        }
    }
}

// The raw value as format_record_line finds it: "value" when it is a
// string, else "value_b64" decoded, else nothing. False when a member has
// another type, left to format_record_line.
bool append_value(std::string& out, const json::answer_record& r) {
    if (!r.value.empty() && r.value != "null") return append_unescaped(out, r.value);
    if (r.value_b64.empty() || r.value_b64 == "null") return true;
    std::string b64;
    if (!append_unescaped(b64, r.value_b64)) return false;
    // format_record_line decodes the C string: up to a NUL, if any.
    out += util::base64_decode(b64.substr(0, b64.find('\0'))).value_or("");
    return true;
}

}  // namespace

std::string format_record_line(const rapidjson::Value& rec, bool values_only) {
    std::string line;
    if (values_only) {
        if (rec.HasMember("value") && rec["value"].IsString())
            line.assign(rec["value"].GetString(), rec["value"].GetStringLength());
        else if (rec.HasMember("value_b64") && rec["value_b64"].IsString())
            line = util::base64_decode(rec["value_b64"].GetString()).value_or("");
    } else {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        rec.Accept(w);
        line.assign(buf.GetString(), buf.GetSize());
    }
    line += '\n';
    return line;
}

bool append_record_line(std::string& out, const json::answer_record& record, bool values_only) {
    if (record.canonical) {
        auto size = out.size();
        if (!values_only) {
            out += record.text;
            out += '\n';
            return true;
        }
        if (append_value(out, record)) {
            out += '\n';
            return true;
        }
        out.resize(size);
    }
    rapidjson::Document d;
    d.Parse(record.text.data(), record.text.size());
    if (d.HasParseError()) return false;
    out += format_record_line(d, values_only);
    return true;
}

}  // namespace gafka::client
