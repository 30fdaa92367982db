#include "gafka/http/auth.h"

#include <boost/beast/core/string.hpp>

#include "gafka/util/token_file.h"

namespace gafka::http {

std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size() ||
        !boost::beast::iequals(boost::beast::string_view(authorization.data(), scheme.size()),
                               boost::beast::string_view(scheme.data(), scheme.size())))
        return std::nullopt;
    auto token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    return token;
}

std::optional<response> refuse_unauthorized(const request& req, server_context& ctx, std::string_view path) {
    if (ctx.auth_tokens.empty() || path == "/healthz") return std::nullopt;
    auto header = req[beast_http::field::authorization];
    auto token = bearer_token(std::string_view(header.data(), header.size()));
    if (token && util::token_matches(*token, ctx.auth_tokens)) return std::nullopt;
    ++ctx.unauthorized;
    auto res = error_response(
        req, {beast_http::status::unauthorized, "unauthorized",
              token ? "the bearer token is not one this broker accepts"
                    : "this broker needs an 'Authorization: Bearer <token>' header (gafka-broker --auth-token-file)",
              {}});
    res.set(beast_http::field::www_authenticate, token ? "Bearer error=\"invalid_token\"" : "Bearer");
    return res;
}

}  // namespace gafka::http
