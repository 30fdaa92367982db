// The batch codecs (log/compression.h, log/decoded_batch.h): whatever bytes
// a client sends as a compressed batch's records, decompress reports
// corruption or too_large, or returns at most its limit, and check_batch and
// decoded_batch walk what came out, never reading out of bounds, crashing or
// allocating past the limit. The first input byte picks the codec (low 3
// bits, mod 5); the rest is the compressed records region.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gafka/log/batch.h"
#include "gafka/log/compression.h"
#include "gafka/log/decoded_batch.h"
#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"

namespace {

namespace log = gafka::log;
constexpr std::size_t limit = 1 << 20;

// A batch of `count` records around `records`, with a correct CRC, so
// check_batch goes on to decompress.
std::string batch_around(log::codec c, std::string_view records, std::int32_t count) {
    std::string b(log::batch_header_size, '\0');
    b += records;
    char* p = b.data();
    gafka::util::store_be<std::uint32_t>(p + log::batch_field::batch_length,
                                         static_cast<std::uint32_t>(b.size() - log::batch_length_base));
    p[log::batch_field::magic] = static_cast<char>(log::batch_magic);
    gafka::util::store_be<std::uint16_t>(p + log::batch_field::attributes, static_cast<std::uint16_t>(c));
    gafka::util::store_be<std::int32_t>(p + log::batch_field::last_offset_delta, count - 1);
    gafka::util::store_be<std::int32_t>(p + log::batch_field::record_count, count);
    gafka::util::store_be<std::uint32_t>(p + log::batch_field::crc,
                                         gafka::crc32c::value(p + log::crc_start, b.size() - log::crc_start));
    return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    auto c = static_cast<log::codec>((data[0] & 0x07) % (log::max_codec + 1));
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string out;
    auto s = log::decompress(c, in, out, limit);
    if (s.ok() ? out.size() > limit : !out.empty()) std::abort();
    if (s.ok() && c != log::codec::none) {
        std::string again;  // what came out compresses and decompresses back to itself
        if (!log::compress(c, out, again).ok()) std::abort();
        std::string back;
        if (!log::decompress(c, again, back, limit).ok() || back != out) std::abort();
    }
    if (c == log::codec::none) return 0;
    auto batch = batch_around(c, in, 1 + (data[0] >> 3));
    if (log::check_batch(batch) == log::batch_problem::none) {
        log::decoded_batch b(batch);
        log::record_view r;
        std::size_t n = 0;
        while (b.next(r)) n += r.value ? r.value->size() : 0;
        if (!b.error().ok() || !b.at_end()) std::abort();  // check_batch passed: the walk must too
        (void)n;
    }
    return 0;
}
