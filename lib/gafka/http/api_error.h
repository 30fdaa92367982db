#pragma once
// The one place where a library status becomes an HTTP status and a JSON
// error body: {"error":{"code":"unknown_topic","message":"..."}}.
#include <optional>
#include <string>

#include <ostream>

#include <boost/beast/http/status.hpp>

#include "gafka/util/status.h"

namespace gafka::broker {
class topic_manager;
}

namespace gafka::http {

struct api_error {
    api_error() = default;
    api_error(boost::beast::http::status s, std::string c, std::string m, std::optional<std::string> l = {})
        : http_status(s), code(std::move(c)), message(std::move(m)), leader(std::move(l)) {}

    boost::beast::http::status http_status = boost::beast::http::status::bad_request;
    std::string code;  // stable, machine-readable: "unknown_topic", "record_too_large", ...
    std::string message;
    std::optional<std::string> leader;  // "host:port" with not_leader
    // More members of the "error" object, already encoded ("\"generation\":3,...").
    std::optional<std::string> details_json;

    static api_error bad_request(std::string m) {
        return {boost::beast::http::status::bad_request, "bad_request", std::move(m)};
    }
    static api_error invalid(std::string code, std::string m) {
        return {boost::beast::http::status::bad_request, std::move(code), std::move(m), {}};
    }
    static api_error unknown_topic(const std::string& topic) {
        return {boost::beast::http::status::not_found, "unknown_topic", "unknown topic '" + topic + "'", {}};
    }
    // Why `topic` is not served: 503 topic_damaged (with the file at fault)
    // when its files are there but damaged, else 404 unknown_topic.
    static api_error topic_not_served(const broker::topic_manager& topics, const std::string& topic);
    static api_error too_large(std::string code, std::string m) {
        return {boost::beast::http::status::payload_too_large, std::move(code), std::move(m), {}};
    }
    // A library status as the API reports it.
    static api_error from_status(const status& s);

    std::string body() const;
};

}  // namespace gafka::http
