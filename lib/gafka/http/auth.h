#pragma once
// Bearer-token authentication of the broker's API (gafka-broker
// --auth-token-file): every route but /healthz needs
// `Authorization: Bearer <token>` with one of the configured tokens.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/http/context.h"

namespace gafka::http {

// True when `presented` equals one of `tokens`. Constant time in the
// contents: every token is compared in full, with no early exit on the
// first differing byte nor on a match, so the time taken says nothing about
// how much of a token was right (only the tokens' lengths show).
bool token_matches(std::string_view presented, const std::vector<std::string>& tokens);

// The token of an Authorization header value ("Bearer <token>", the scheme
// case-insensitive, RFC 6750); nullopt for any other form.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// 401 unauthorized (with WWW-Authenticate: Bearer) when ctx has tokens and
// the request to `path` carries none of them; nullopt when it may proceed.
std::optional<response> refuse_unauthorized(const request& req, server_context& ctx, std::string_view path);

}  // namespace gafka::http
