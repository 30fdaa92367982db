#include "gafka/json/record_json.h"

#include <rapidjson/writer.h>

#include "gafka/json/plain_run.h"
#include "gafka/util/text.h"

namespace gafka::json {
namespace {

// A rapidjson output stream that appends to a std::string, so records are
// written straight into the answer instead of through a buffer of their own.
struct string_sink {
    using Ch = char;
    std::string& out;
    void Put(char c) { out.push_back(c); }
    void Flush() {}
};

using writer_t = rapidjson::Writer<string_sink>;

// Writes s as a JSON string, escaped as rapidjson escapes (", \\, control
// characters; UTF-8 as it is). Not through w.String(), which escapes a
// character at a time (its SIMD scan is only for its own StringBuffer) and
// was half of a catch-up consume's CPU: the writer gets an empty raw value,
// which writes the separator before it, and the string goes straight into
// `out` in runs (json/plain_run.h finds them).
void write_string(writer_t& w, std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    w.RawValue("", 0, rapidjson::kStringType);
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        i = plain_prefix(s, i);
        if (i == s.size()) break;
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

// Writes "name": value or "name_b64": base64 for bytes that are not UTF-8.
void write_bytes_field(writer_t& w, std::string& out, const char* name, std::optional<std::string_view> bytes) {
    if (bytes && !util::is_valid_utf8(*bytes)) {
        w.Key((std::string(name) + "_b64").c_str());
        write_string(w, out, util::base64_encode(*bytes));
        return;
    }
    w.Key(name);
    if (bytes) write_string(w, out, *bytes);
    else w.Null();
}

}  // namespace

void append_record_json(std::string& out, const record_origin& origin, const log::record_view& r) {
    string_sink sink{out};
    writer_t w(sink);
    w.StartObject();
    w.Key("topic");
    if (origin.topic) write_string(w, out, *origin.topic);
    else w.Null();
    w.Key("partition");
    if (origin.partition) w.Int(*origin.partition);
    else w.Null();
    w.Key("offset");
    w.Int64(r.offset);
    w.Key("timestamp");
    w.Int64(r.timestamp);
    write_bytes_field(w, out, "key", r.key);
    write_bytes_field(w, out, "value", r.value);
    if (!r.headers.empty()) {
        bool text = true;
        for (auto [n, v] : r.headers) text = text && util::is_valid_utf8(n) && util::is_valid_utf8(v);
        w.Key(text ? "headers" : "headers_b64");
        w.StartObject();
        for (auto [n, v] : r.headers) {
            auto name = text ? std::string(n) : util::base64_encode(n);
            w.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
            write_string(w, out, text ? std::string(v) : util::base64_encode(v));
        }
        w.EndObject();
    }
    w.EndObject();
}

void append_produce_record_json(std::string& out, const log::record& r, std::optional<std::int32_t> partition,
                                bool with_timestamp) {
    string_sink sink{out};
    writer_t w(sink);
    w.StartObject();
    if (partition) {
        w.Key("partition");
        w.Int(*partition);
    }
    if (with_timestamp) {
        w.Key("timestamp");
        w.Int64(r.timestamp);
    }
    if (r.key) write_bytes_field(w, out, "key", std::string_view(*r.key));
    write_bytes_field(w, out, "value", r.value ? std::optional<std::string_view>(*r.value) : std::nullopt);
    if (!r.headers.empty()) {
        w.Key("headers");
        w.StartObject();
        for (const auto& h : r.headers) {
            w.Key(h.name.c_str(), static_cast<rapidjson::SizeType>(h.name.size()));
            write_string(w, out, h.value);
        }
        w.EndObject();
    }
    w.EndObject();
}

}  // namespace gafka::json
