#pragma once
// How gafka-consume writes one record from a broker's answer: the JSON
// object as received, or (--format value) the raw value; with a newline.
#include <string>

#include <rapidjson/document.h>

namespace gafka::client {

std::string format_record_line(const rapidjson::Value& record, bool values_only);

}  // namespace gafka::client
