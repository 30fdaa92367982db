#pragma once
// Byte-string helpers for carrying arbitrary bytes through JSON.
#include <optional>
#include <string>
#include <string_view>

namespace gafka::util {

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// past U+10FFFF), the test for sending bytes as a JSON string.
bool is_valid_utf8(std::string_view s);

// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gafka::util
