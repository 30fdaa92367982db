#include "gafka/util/token_file.h"

#include <fstream>
#include <sstream>

namespace gafka::util {

result<std::vector<std::string>> parse_tokens(std::string_view text) {
    std::vector<std::string> tokens;
    std::size_t line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        for (unsigned char c : line)
            if (c <= 0x20 || c >= 0x7f)
                return status::invalid_argument("line " + std::to_string(line_no) +
                                                ": a token is printable ASCII with no spaces");
        tokens.emplace_back(line);
    }
    if (tokens.empty()) return status::invalid_argument("no token in it (only blank lines and # comments)");
    return tokens;
}

result<std::vector<std::string>> read_token_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec))
        return status::invalid_argument("cannot read token file '" + path.string() + "'");
    auto tokens = parse_tokens(text.str());
    if (!tokens.ok()) return status::invalid_argument("token file '" + path.string() + "': " + tokens.error().message());
    return tokens;
}

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

}  // namespace gafka::util
