#pragma once
// How gafka-consume writes one record from a broker's answer: the JSON
// object as received, or (--format value) the raw value; with a newline.
#include <string>

#include <rapidjson/document.h>

#include "gafka/json/consume_answer.h"

namespace gafka::client {

// The line for a record parsed into a DOM: the object written again by
// rapidjson's Writer, or its value ("value", else "value_b64" decoded, else
// empty).
std::string format_record_line(const rapidjson::Value& record, bool values_only);

// Appends the same line for a record found by json::scan_consume_answer,
// without a DOM where it can: a canonical record's text is copied (it is
// what the Writer writes), and so is a value without escapes or a
// value_b64 (decoded); anything else is parsed and goes through
// format_record_line. False when the record does not parse (`out` unchanged).
bool append_record_line(std::string& out, const json::answer_record& record, bool values_only);

}  // namespace gafka::client
