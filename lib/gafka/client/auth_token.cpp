#include "gafka/client/auth_token.h"

namespace gafka::client {
namespace {

std::string& token_storage() {
    static std::string token;
    return token;
}

}  // namespace

void set_auth_token(std::string token) { token_storage() = std::move(token); }
const std::string& auth_token() { return token_storage(); }

}  // namespace gafka::client
