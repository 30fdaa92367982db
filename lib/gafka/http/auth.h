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

// The token of an Authorization header value ("Bearer <token>", the scheme
// case-insensitive, RFC 6750); nullopt for any other form.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// 401 unauthorized (with WWW-Authenticate: Bearer) when ctx has tokens and
// the request to `path` carries none of them; nullopt when it may proceed.
std::optional<response> refuse_unauthorized(const request& req, server_context& ctx, std::string_view path);

}  // namespace gafka::http
