#include "gafka/http/auth.h"

#include <boost/beast/core/string.hpp>

namespace gafka::http {

bool token_matches(std::string_view presented, const std::vector<std::string>& tokens) {
    unsigned matched = 0;
    for (const auto& token : tokens) {
        // Walks the whole configured token whatever `presented` holds; a
        // length difference is folded into `diff` instead of returning.
        unsigned diff = presented.size() != token.size() ? 1u : 0u;
        for (std::size_t i = 0; i < token.size(); ++i) {
            unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
            diff |= static_cast<unsigned>(p ^ static_cast<unsigned char>(token[i]));
        }
        matched |= diff == 0 ? 1u : 0u;
    }
    return matched != 0;
}

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
    if (token && token_matches(*token, ctx.auth_tokens)) return std::nullopt;
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
