#pragma once
// Bearer-token files (gafka-broker --auth-token-file, the programs'
// --auth-token-file / GAFKA_AUTH_TOKEN_FILE): one token per line; blank lines
// and lines starting with '#' are ignored, spaces around a token are
// trimmed. A token is printable ASCII without spaces (what an HTTP
// Authorization header can carry as is).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::util {

// The tokens of a file's text, in order; invalid_argument (naming the line)
// for a token with a space or control byte, or when there is none at all.
result<std::vector<std::string>> parse_tokens(std::string_view text);

// parse_tokens of a file; invalid_argument naming the file when it cannot
// be read or holds no token.
result<std::vector<std::string>> read_token_file(const std::filesystem::path& path);

// True when `presented` equals one of `tokens`. Constant time in the
// contents: every token is compared in full, with no early exit on the
// first differing byte nor on a match, so the time taken says nothing about
// how much of a token was right (only the tokens' lengths show).
bool token_matches(std::string_view presented, const std::vector<std::string>& tokens);

}  // namespace gafka::util
