// The JSON form of records: strings are escaped in runs by record_json.cpp
// (not by rapidjson's Writer::String); the output must be what rapidjson
// writes, and read back to the same bytes.
#include <gtest/gtest.h>

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/json/record_json.h"

namespace gafka::json {
namespace {

// Every ASCII character (controls, quote, backslash, slash, DEL), UTF-8 of
// 2, 3 and 4 bytes, and escapes at the very start and end.
std::string every_kind_of_character() {
    std::string s = "\"";
    for (int c = 0; c < 0x80; ++c) s += static_cast<char>(c);
    s += "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 plain run of text\\";
    return s;
}

std::string rapidjson_string(const std::string& s) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return buf.GetString();
}

TEST(record_json_test, strings_are_escaped_exactly_as_rapidjson_escapes_them) {
    auto text = every_kind_of_character();
    log::record_view r;
    r.offset = 7;
    r.timestamp = 1700000000000;
    r.key = std::string_view("k\n");
    r.value = text;
    r.headers.emplace_back("h\t", "x\"y");
    std::string out;
    append_record_json(out, record_origin{"t", 0}, r);
    EXPECT_NE(out.find("\"value\":" + rapidjson_string(text) + ","), std::string::npos) << out;
    EXPECT_NE(out.find("\"key\":" + rapidjson_string("k\n") + ","), std::string::npos) << out;
    EXPECT_NE(out.find(rapidjson_string("h\t") + ":" + rapidjson_string("x\"y")), std::string::npos) << out;

    rapidjson::Document d;
    d.Parse(out.data(), out.size());
    ASSERT_FALSE(d.HasParseError()) << out;
    EXPECT_EQ(std::string(d["value"].GetString(), d["value"].GetStringLength()), text);
    EXPECT_EQ(d["offset"].GetInt64(), 7);
    EXPECT_STREQ(d["topic"].GetString(), "t");
}

TEST(record_json_test, a_produce_record_reads_back_to_the_same_bytes) {
    log::record r;
    r.key = "\x01key\\";
    r.value = every_kind_of_character();
    r.headers.push_back({"trace\"id", "\x1F\x7F"});
    std::string line;
    append_produce_record_json(line, r, 2, false);
    parsed_record back;
    auto e = parse_record_line(line, back);
    ASSERT_FALSE(e) << e->message << ": " << line;
    EXPECT_EQ(back.partition, 2);
    EXPECT_EQ(back.record.key, r.key);
    EXPECT_EQ(back.record.value, r.value);
    EXPECT_EQ(back.record.headers, r.headers);
}

TEST(record_json_test, empty_and_null_values_and_bytes_that_are_not_utf8) {
    log::record_view r;
    r.value = std::string_view("");
    std::string out;
    append_record_json(out, record_origin{}, r);
    EXPECT_NE(out.find("\"key\":null,\"value\":\"\""), std::string::npos) << out;
    std::string binary = "\xFF\xFE\"";
    r.value = binary;
    out.clear();
    append_record_json(out, record_origin{}, r);
    EXPECT_NE(out.find("\"value_b64\":\"//4i\""), std::string::npos) << out;
}

}  // namespace
}  // namespace gafka::json
