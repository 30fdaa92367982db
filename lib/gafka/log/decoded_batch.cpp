#include "gafka/log/decoded_batch.h"

#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"

namespace gafka::log {
namespace {

batch_records walker(std::string_view batch, std::string& decompressed, status& error, std::size_t limit) {
    auto h = decode_header(batch.data());
    if (h.compression() == 0) return batch_records(batch);
    batch = batch.substr(0, std::min<std::size_t>(batch.size(), h.length));
    error = decompress(static_cast<codec>(h.compression()), batch.substr(std::min(batch.size(), batch_header_size)),
                       decompressed, limit);
    return batch_records(h, decompressed);
}

}  // namespace

decoded_batch::decoded_batch(std::string_view batch, std::size_t limit)
    : records_(walker(batch, decompressed_, error_, limit)) {}

result<std::string> compress_batch(std::string_view batch, codec c) {
    auto h = decode_header(batch.data());
    batch = batch.substr(0, h.length);
    auto records = batch.substr(batch_header_size);
    std::string plain;
    if (h.compression() != 0) {
        if (auto s = decompress(static_cast<codec>(h.compression()), records, plain); !s.ok()) return s;
        records = plain;
    }
    std::string out(batch.substr(0, batch_header_size));
    if (auto s = compress(c, records, out); !s.ok()) return s;
    if (out.size() > max_batch_bytes)
        return status::too_large("batch is " + std::to_string(out.size()) + " bytes with " + to_string(c));
    char* p = out.data();
    auto attributes = static_cast<std::uint16_t>((h.attributes & ~compression_mask) | static_cast<std::uint16_t>(c));
    util::store_be<std::uint16_t>(p + batch_field::attributes, attributes);
    util::store_be<std::uint32_t>(p + batch_field::batch_length, static_cast<std::uint32_t>(out.size() - batch_length_base));
    util::store_be<std::uint32_t>(p + batch_field::crc, crc32c::value(p + crc_start, out.size() - crc_start));
    return out;
}

}  // namespace gafka::log
