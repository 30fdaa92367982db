// gafka-consume copies a record's text from the broker's answer when it is
// already what rapidjson writes back, and rebuilds it otherwise: either way
// the line must be byte for byte the rebuilt one (format_record_line over a
// DOM, what every earlier gafka-consume wrote). And a malformed answer is
// refused, never read past its end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/client/record_output.h"
#include "gafka/json/consume_answer.h"
#include "gafka/json/record_json.h"

namespace gafka::json {
namespace {

std::string answer_with(const std::string& records) {
    return R"({"topic":"t","partition":0,"records":[)" + records +
           R"(],"next_offset":12,"high_watermark":40,"log_start_offset":0})" + "\n";
}

// The line as the DOM path writes it.
std::string rebuilt(std::string_view record, bool values_only) {
    rapidjson::Document d;
    d.Parse(record.data(), record.size());
    EXPECT_FALSE(d.HasParseError()) << record;
    return client::format_record_line(d, values_only);
}

// Scans an answer holding `record` alone; its canonical flag, and both
// formats checked against the rebuilt lines.
bool expect_lines_as_rebuilt(const std::string& record) {
    auto body = answer_with(record);
    consume_answer a;
    EXPECT_TRUE(scan_consume_answer(body, a)) << record;
    EXPECT_EQ(a.records.size(), 1u);
    if (a.records.size() != 1) return false;
    EXPECT_EQ(a.records[0].text, record);
    for (bool values_only : {false, true}) {
        std::string line;
        EXPECT_TRUE(client::append_record_line(line, a.records[0], values_only)) << record;
        EXPECT_EQ(line, rebuilt(record, values_only)) << record << (values_only ? " (value)" : " (json)");
    }
    return a.records[0].canonical;
}

TEST(consume_answer_test, the_broker_s_records_are_canonical_and_copied_as_they_are) {
    // Every character that needs an escape, UTF-8, a NUL, binary bytes
    // (base64), no key, a tombstone, headers: as the broker writes them.
    std::string every = "\"\\/";
    for (int c = 0; c < 0x20; ++c) every += static_cast<char>(c);
    every += "\x7F caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 end";
    const std::string long_value = std::string(3000, 'v') + "\"";  // outlives the views below
    struct {
        std::optional<std::string_view> key, value;
        std::vector<std::pair<std::string_view, std::string_view>> headers;
    } cases[] = {
        {"k", every, {{"h\n", every}}},
        {std::nullopt, "\xDE\xAD\xBE\xEF", {}},
        {"\xFF", std::nullopt, {{"a", "\xFF"}}},
        {std::nullopt, "", {{"x", "1"}, {"x", "2"}}},
        {"k", long_value, {}},
    };
    for (const auto& c : cases) {
        log::record_view r;
        r.offset = 11;
        r.timestamp = 1700000000000;
        r.key = c.key;
        r.value = c.value;
        r.headers = c.headers;
        std::string text;
        append_record_json(text, record_origin{"t", 0}, r);
        EXPECT_TRUE(expect_lines_as_rebuilt(text)) << text;
    }
}

TEST(consume_answer_test, text_rapidjson_would_write_otherwise_is_rebuilt) {
    for (const char* record : {
             R"({ "value":"v"})",                       // whitespace
             R"({"value":"a\/b"})",                     // an escaped slash
             R"({"value":"\u0041\u00e9"})",             // \u for a printable character
             R"({"value":"\u000a"})",                   // \u where rapidjson writes \n
             R"({"value":"\u001f\u001F"})",             // lower-case hex
             R"({"value":"x","offset":1.5})",           // a fraction
             R"({"value":"x","offset":1e3})",           // an exponent
             R"({"value":"x","offset":-0})",            // minus zero
             R"({"value":"x","offset":12345678901234567890})",  // past int64
             R"({"val\u0075e":"v"})",                   // an escaped key
             R"({"value":"\ud83d\ude00"})",             // a surrogate pair
         })
        EXPECT_FALSE(expect_lines_as_rebuilt(record)) << record;
}

TEST(consume_answer_test, values_are_found_as_the_dom_finds_them) {
    for (const char* record : {
             R"({"value":"tab\there \"q\" back\\slash \u0001\u001F\b\f\r\n"})",
             R"({"value":null})",
             R"({"value":null,"value_b64":"3q2+7w=="})",
             R"({"value":5,"value_b64":"3q2+7w=="})",  // not a string: value_b64 counts
             R"({"value_b64":"3q2+7w=="})",
             R"({"value_b64":"not base64!"})",
             R"({"key":"k"})",
             R"({"value":"first","value":"second"})",
             R"({"value":{"nested":[1,true,false,null]},"value_b64":"/w=="})",
             R"({"headers":{"value":"not this one"},"value":"this one"})",
         })
        EXPECT_TRUE(expect_lines_as_rebuilt(record)) << record;
}

TEST(consume_answer_test, offsets_and_records_come_from_the_answer) {
    consume_answer a;
    auto body = answer_with(R"({"offset":10,"value":"a"},{"offset":11,"value":"b"})");
    ASSERT_TRUE(scan_consume_answer(body, a));
    ASSERT_EQ(a.records.size(), 2u);
    EXPECT_EQ(a.records[1].text, R"({"offset":11,"value":"b"})");
    EXPECT_EQ(a.next_offset, 12);
    EXPECT_EQ(a.high_watermark, 40);
    // Reused: the records of the previous answer are gone.
    ASSERT_TRUE(scan_consume_answer(answer_with(""), a));
    EXPECT_TRUE(a.records.empty());
    // Whitespace between the members, and the first of repeated ones counts.
    ASSERT_TRUE(scan_consume_answer(
        " {\n\"records\" : [ ] , \"next_offset\":3,\"high_watermark\":4,\"next_offset\":9,\"extra\":[{}]} ", a));
    EXPECT_EQ(a.next_offset, 3);
}

TEST(consume_answer_test, a_malformed_answer_is_refused) {
    auto good = answer_with(R"({"value":"a"})");
    consume_answer a;
    ASSERT_TRUE(scan_consume_answer(good, a));
    // Every truncation of a good answer.
    for (std::size_t n = 0; n + 1 < good.size(); ++n)
        EXPECT_FALSE(scan_consume_answer(std::string_view(good).substr(0, n), a)) << n;
    std::vector<std::string> bad_answers = {
             R"([])",
             R"({})",
             R"({"records":[],"next_offset":1})",                          // no high_watermark
             R"({"records":{},"next_offset":1,"high_watermark":1})",       // records not an array
             R"({"records":["x"],"next_offset":1,"high_watermark":1})",    // a record not an object
             R"({"records":[],"next_offset":"1","high_watermark":1})",     // not a number
             R"({"records":[],"next_offset":1.5,"high_watermark":1})",     // not an integer
             R"({"records":[{"value":"a)" "\x01" R"("}],"next_offset":1,"high_watermark":1})",  // raw control
             R"({"records":[{"value":"\x"}],"next_offset":1,"high_watermark":1})",     // bad escape
             R"({"records":[{"value":"\u12"}],"next_offset":1,"high_watermark":1})",   // short \u
             R"({"records":[{"value":01}],"next_offset":1,"high_watermark":1})",       // leading zero
             R"({"records":[{"value":tru}],"next_offset":1,"high_watermark":1})",
             R"({"records":[{"value":"a",}],"next_offset":1,"high_watermark":1})",    // trailing comma
             R"({"records":[],"next_offset":1,"high_watermark":1} x)",                // trailing text
             R"({"records":[{"a":)" + std::string(100, '[') + std::string(100, ']') +
                 R"(}],"next_offset":1,"high_watermark":1})",                         // too deep
    };
    for (const auto& bad : bad_answers) EXPECT_FALSE(scan_consume_answer(bad, a)) << bad;
}

TEST(consume_answer_test, a_record_the_dom_cannot_read_is_refused_by_the_line_writer) {
    // A lone surrogate: the grammar holds, rapidjson refuses it.
    consume_answer a;
    const auto body = answer_with(R"({"value":"\ud800"})");  // the answer's records point into it
    ASSERT_TRUE(scan_consume_answer(body, a));
    std::string line = "kept";
    EXPECT_FALSE(client::append_record_line(line, a.records[0], false));
    EXPECT_EQ(line, "kept");
}

}  // namespace
}  // namespace gafka::json
