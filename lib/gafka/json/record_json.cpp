#include "gafka/json/record_json.h"

#include <rapidjson/writer.h>

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

void write_string(writer_t& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Writes "name": value or "name_b64": base64 for bytes that are not UTF-8.
void write_bytes_field(writer_t& w, const char* name, std::optional<std::string_view> bytes) {
    if (bytes && !util::is_valid_utf8(*bytes)) {
        w.Key((std::string(name) + "_b64").c_str());
        write_string(w, util::base64_encode(*bytes));
        return;
    }
    w.Key(name);
    if (bytes) write_string(w, *bytes);
    else w.Null();
}

}  // namespace

void append_record_json(std::string& out, const record_origin& origin, const log::record_view& r) {
    string_sink sink{out};
    writer_t w(sink);
    w.StartObject();
    w.Key("topic");
    if (origin.topic) write_string(w, *origin.topic);
    else w.Null();
    w.Key("partition");
    if (origin.partition) w.Int(*origin.partition);
    else w.Null();
    w.Key("offset");
    w.Int64(r.offset);
    w.Key("timestamp");
    w.Int64(r.timestamp);
    write_bytes_field(w, "key", r.key);
    write_bytes_field(w, "value", r.value);
    if (!r.headers.empty()) {
        bool text = true;
        for (auto [n, v] : r.headers) text = text && util::is_valid_utf8(n) && util::is_valid_utf8(v);
        w.Key(text ? "headers" : "headers_b64");
        w.StartObject();
        for (auto [n, v] : r.headers) {
            auto name = text ? std::string(n) : util::base64_encode(n);
            w.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
            write_string(w, text ? std::string(v) : util::base64_encode(v));
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
    if (r.key) write_bytes_field(w, "key", std::string_view(*r.key));
    write_bytes_field(w, "value", r.value ? std::optional<std::string_view>(*r.value) : std::nullopt);
    if (!r.headers.empty()) {
        w.Key("headers");
        w.StartObject();
        for (const auto& h : r.headers) {
            w.Key(h.name.c_str(), static_cast<rapidjson::SizeType>(h.name.size()));
            write_string(w, h.value);
        }
        w.EndObject();
    }
    w.EndObject();
}

}  // namespace gafka::json
