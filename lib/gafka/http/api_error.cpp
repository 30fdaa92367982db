#include "gafka/http/api_error.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/broker/topic_manager.h"

namespace gafka::http {

namespace bh = boost::beast::http;

api_error api_error::from_status(const status& s) {
    switch (s.code()) {
        case status_code::invalid_argument: return {bh::status::bad_request, "invalid_argument", s.message(), {}};
        case status_code::not_found: return {bh::status::not_found, "not_found", s.message(), {}};
        case status_code::already_exists: return {bh::status::conflict, "already_exists", s.message(), {}};
        case status_code::conflict: return {bh::status::conflict, "conflict", s.message(), {}};
        case status_code::fenced: return {bh::status::conflict, "fenced_member", s.message(), {}};
        case status_code::out_of_range:
            return {bh::status::range_not_satisfiable, "offset_out_of_range", s.message(), {}};
        case status_code::too_large: return {bh::status::payload_too_large, "too_large", s.message(), {}};
        case status_code::not_leader: return {bh::status::misdirected_request, "not_leader", s.message(), {}};
        case status_code::unavailable: return {bh::status::service_unavailable, "unavailable", s.message(), {}};
        case status_code::not_enough_replicas:
            return {bh::status::service_unavailable, "not_enough_replicas", s.message(), {}};
        case status_code::timed_out: return {bh::status::service_unavailable, "timed_out", s.message(), {}};
        case status_code::corruption: return {bh::status::service_unavailable, "corrupt_log", s.message(), {}};
        case status_code::io_error:
        case status_code::no_space: return {bh::status::service_unavailable, "storage_error", s.message(), {}};
        case status_code::ok: break;
    }
    return {bh::status::internal_server_error, "internal", s.message(), {}};
}

api_error api_error::topic_not_served(const broker::topic_manager& topics, const std::string& topic) {
    if (auto d = topics.damaged(topic))
        return {bh::status::service_unavailable, "topic_damaged", broker::damaged_topic_message(*d), {}};
    return unknown_topic(topic);
}

std::string api_error::body() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("error");
    w.StartObject();
    w.Key("code");
    w.String(code.c_str());
    w.Key("message");
    w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
    if (leader) {
        w.Key("leader");
        w.String(leader->c_str());
    }
    w.EndObject();
    w.EndObject();
    std::string out(buf.GetString(), buf.GetSize());
    if (details_json) out.insert(out.size() - 2, "," + *details_json);  // inside "error":{...}
    return out + "\n";
}

}  // namespace gafka::http
