#pragma once
// The bearer token a program sends with every request
// (`Authorization: Bearer <token>`; --auth-token-file or
// GAFKA_AUTH_TOKEN_FILE). Process-wide because every connection a program
// opens talks to one cluster as one client: main() sets it once, before any
// connection exists, and it is only read after. Empty: no header is sent.
#include <string>

namespace gafka::client {

void set_auth_token(std::string token);
const std::string& auth_token();

}  // namespace gafka::client
