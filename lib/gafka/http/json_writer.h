#pragma once
// The RapidJSON writer the handlers build answers with.
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gafka::http {

class json_writer {
public:
    rapidjson::Writer<rapidjson::StringBuffer>& w() { return writer_; }
    void key(std::string_view k) { writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
    void str(std::string_view s) { writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
    // Splices an already-encoded JSON value.
    void raw(std::string_view json) {
        writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    }
    std::string take() { return std::string(buf_.GetString(), buf_.GetSize()) + "\n"; }

private:
    rapidjson::StringBuffer buf_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_{buf_};
};

}  // namespace gafka::http
