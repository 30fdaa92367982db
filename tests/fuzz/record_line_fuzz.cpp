// gafka-produce --json reads one record object a line (json/record_parse.cpp
// parse_record_line): any line is a record or a clear error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gafka/json/record_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    gafka::json::parsed_record out;
    auto error = gafka::json::parse_record_line(line, out);
    if (error && error->code.empty()) std::abort();  // every error has a code
    return 0;
}
