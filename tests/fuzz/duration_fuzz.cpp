// Durations and points in time as people type them (util/duration.h,
// util/time_text.h): any text is an error or a value, never a crash or UB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gafka/util/duration.h"
#include "gafka/util/time_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)gafka::util::parse_duration(text);
    (void)gafka::util::parse_time(text, 1'763'892'000'000);
    (void)gafka::util::parse_time(text, 0);
    return 0;
}
