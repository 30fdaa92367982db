#pragma once
// A consume answer ({"topic":..,"partition":..,"records":[..],"next_offset":N,
// "high_watermark":N,..}, docs/api.md) read without building a DOM: one pass
// that checks the JSON grammar, finds each record's object in the text and
// says whether that text is already what rapidjson's Writer writes for it
// (the broker writes records that way, json/record_json.cpp), so that
// gafka-consume can copy it instead of parsing and writing it again.
#include <cstdint>
#include <string_view>
#include <vector>

namespace gafka::json {

struct answer_record {
    std::string_view text;  // the record's object, from '{' to '}'
    // True when `text` is byte for byte what rapidjson writes back after
    // parsing it: no whitespace, integers only (at most 18 digits, no -0),
    // and only the escapes rapidjson writes (\" \\ \b \f \n \r \t and
    // \u00XX, upper-case, for the other control characters).
    bool canonical = false;
    // The value of the record's first "value" and "value_b64" member as
    // text (a string with its quotes, null, ...); empty when there is none.
    // Meaningful when canonical (keys are compared as written).
    std::string_view value;
    std::string_view value_b64;
};

struct consume_answer {
    std::vector<answer_record> records;  // views into the body
    std::int64_t next_offset = 0;
    std::int64_t high_watermark = 0;
};

// Reads `body` into `out` (its records vector is reused, so a caller that
// keeps `out` allocates nothing per answer). False when `body` is not valid
// JSON (as rapidjson's default parse judges it, bar UTF-8, which neither
// checks), or is not an object with a "records" array of objects and
// integer "next_offset" and "high_watermark"; of repeated members the
// first counts, as with rapidjson's FindMember.
bool scan_consume_answer(std::string_view body, consume_answer& out);

}  // namespace gafka::json
