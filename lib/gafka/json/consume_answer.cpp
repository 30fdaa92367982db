#include "gafka/json/consume_answer.h"

#include <charconv>
#include <cstring>

#include "gafka/json/plain_run.h"

namespace gafka::json {
namespace {

constexpr int max_depth = 64;  // deeper nesting is refused, not recursed into

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// A recursive-descent pass over JSON text. Every function reads one thing at
// pos_ and leaves pos_ after it; false means the text is not JSON there.
// canonical_ is cleared by anything rapidjson's Writer would write otherwise.
class scanner {
public:
    explicit scanner(std::string_view text) : text_(text) {}

    bool answer(consume_answer& out) {
        bool records = false, next = false, high = false;
        out.records.clear();
        skip_ws();
        if (!take('{')) return false;
        if (skip_ws(), take('}')) return false;  // an empty object lacks the records
        do {
            skip_ws();
            std::string_view key;
            if (!string(key) || (skip_ws(), !take(':'))) return false;
            skip_ws();
            if (key == "records" && !records) {
                if (!record_array(out)) return false;
                records = true;
            } else if (key == "next_offset" && !next) {
                if (!integer(out.next_offset)) return false;
                next = true;
            } else if (key == "high_watermark" && !high) {
                if (!integer(out.high_watermark)) return false;
                high = true;
            } else if (!value(1)) {
                return false;
            }
            skip_ws();
        } while (take(','));
        if (!take('}')) return false;
        skip_ws();
        return pos_ == text_.size() && records && next && high;
    }

private:
    bool take(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
        return false;
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void skip_ws() {
        auto start = pos_;
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' ||
                                       text_[pos_] == '\t'))
            ++pos_;
        if (pos_ != start) canonical_ = false;
    }

    bool record_array(consume_answer& out) {
        if (!take('[')) return false;
        if (skip_ws(), take(']')) return true;
        do {
            skip_ws();
            if (peek() != '{') return false;  // a record is an object
            answer_record r;
            canonical_ = true;
            auto start = pos_;
            if (!object(2, &r)) return false;
            r.text = text_.substr(start, pos_ - start);
            r.canonical = canonical_;
            out.records.push_back(r);
            skip_ws();
        } while (take(','));
        return take(']');
    }

    bool value(int depth) {
        switch (peek()) {
            case '"': {
                std::string_view s;
                return string(s);
            }
            case '{': return object(depth + 1, nullptr);
            case '[': return array(depth + 1);
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default: return number(nullptr);
        }
    }

    // An object at pos_; with `record`, its "value" and "value_b64" members are noted.
    bool object(int depth, answer_record* record) {
        if (depth > max_depth || !take('{')) return false;
        if (skip_ws(), take('}')) return true;
        do {
            skip_ws();
            std::string_view key;
            if (!string(key) || (skip_ws(), !take(':'))) return false;
            skip_ws();
            auto start = pos_;
            if (!value(depth)) return false;
            if (record) {
                auto v = text_.substr(start, pos_ - start);
                if (key == "value" && record->value.empty()) record->value = v;
                else if (key == "value_b64" && record->value_b64.empty()) record->value_b64 = v;
            }
            skip_ws();
        } while (take(','));
        return take('}');
    }

    bool array(int depth) {
        if (depth > max_depth || !take('[')) return false;
        if (skip_ws(), take(']')) return true;
        do {
            skip_ws();
            if (!value(depth)) return false;
            skip_ws();
        } while (take(','));
        return take(']');
    }

    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    // A string at pos_; `content` is what lies between its quotes, escapes as written.
    bool string(std::string_view& content) {
        if (!take('"')) return false;
        auto start = pos_;
        for (;;) {
            pos_ = plain_run_end(text_, pos_);
            if (pos_ == text_.size()) return false;
            char c = text_[pos_];
            if (c == '"') {
                content = text_.substr(start, pos_ - start);
                ++pos_;
                return true;
            }
            if (c != '\\') return false;  // a raw control character
            if (++pos_ == text_.size()) return false;
            switch (text_[pos_]) {
                case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't': ++pos_; break;
                case '/': canonical_ = false; ++pos_; break;
                case 'u': {
                    if (text_.size() - pos_ < 5) return false;
                    unsigned code = 0;
                    for (std::size_t i = 1; i <= 4; ++i) {
                        int h = hex_digit(text_[pos_ + i]);
                        if (h < 0) return false;
                        if (text_[pos_ + i] >= 'a') canonical_ = false;
                        code = code * 16 + static_cast<unsigned>(h);
                    }
                    // rapidjson writes \uXXXX only for the control characters that have no short escape.
                    if (code >= 0x20 || code == '\b' || code == '\t' || code == '\n' || code == '\f' || code == '\r')
                        canonical_ = false;
                    pos_ += 5;
                    break;
                }
                default: return false;
            }
        }
    }

    // A number at pos_ (JSON's grammar); with `v`, it must be an integer of
    // at most 18 digits, which goes into *v.
    bool number(std::int64_t* v) {
        auto start = pos_;
        bool negative = take('-');
        if (!is_digit(peek())) return false;
        if (!take('0'))
            while (is_digit(peek())) ++pos_;
        auto digits = pos_ - start - (negative ? 1 : 0);
        bool integer = true;
        if (take('.')) {
            integer = false;
            if (!is_digit(peek())) return false;
            while (is_digit(peek())) ++pos_;
        }
        if (take('e') || take('E')) {
            integer = false;
            if (!take('+')) take('-');
            if (!is_digit(peek())) return false;
            while (is_digit(peek())) ++pos_;
        }
        bool minus_zero = negative && digits == 1 && text_[start + 1] == '0';
        if (!integer || digits > 18 || minus_zero) canonical_ = false;
        if (!v) return true;
        if (!integer || digits > 18) return false;
        std::from_chars(text_.data() + start, text_.data() + pos_, *v);
        return true;
    }
    bool integer(std::int64_t& v) { return number(&v); }

    std::string_view text_;
    std::size_t pos_ = 0;
    bool canonical_ = true;
};

}  // namespace

bool scan_consume_answer(std::string_view body, consume_answer& out) { return scanner(body).answer(out); }

}  // namespace gafka::json
