#pragma once
// Kafka's record batch compression: the codec in attributes bits 0-2 and
// the framing each codec's bytes have inside a batch, as Kafka clients write
// them (the records region, everything after the 61-byte header, compressed
// as one stream):
//   gzip    a gzip stream (RFC 1952; concatenated members are read too)
//   snappy  read: raw snappy (librdkafka) or xerial's framing (the Java
//           client: "\x82SNAPPY\0", int32 version, int32 compatible version,
//           then blocks of int32 length + raw snappy); written: xerial's
//   lz4     an LZ4 frame (lz4 frame format 1.6, correct header checksum, as
//           Kafka >= 0.10 wants); written with independent 64 KiB blocks
//   zstd    a zstd frame
// Decompression never trusts the input: a malformed stream is `corruption`,
// and output past the caller's limit is `too_large` before it is allocated
// (a batch that inflates without bound must not take the broker's memory).
// Stateless and thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gafka/log/format.h"
#include "gafka/util/status.h"

namespace gafka::log {

enum class codec : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
inline constexpr std::uint8_t max_codec = 4;

// "none", "gzip", "snappy", "lz4", "zstd".
const char* to_string(codec c);

// The most record bytes one batch may decompress to: as many as an
// uncompressed batch may hold, so any batch can be rewritten uncompressed.
inline constexpr std::size_t max_decompressed_bytes = max_batch_bytes - batch_header_size;
// zstd frames asking for a larger window than 2^this are refused: the
// decoder's memory is bounded too (clients' default levels use 2^21 at most).
inline constexpr int zstd_max_window_log = 24;

// Appends `in` compressed with `c` to `out` (codec::none appends it as is).
status compress(codec c, std::string_view in, std::string& out);
// Appends the decompressed `in` to `out`. corruption on a malformed stream,
// too_large when it decompresses to more than `limit` bytes; `out` then
// holds nothing more than before.
status decompress(codec c, std::string_view in, std::string& out, std::size_t limit = max_decompressed_bytes);

// A topic's compression, as Kafka's compression.type: `producer` keeps each
// batch as it came; a codec makes the broker store every batch with it
// (`uncompressed` stores them uncompressed).
enum class compression_type : std::uint8_t { producer, uncompressed, gzip, snappy, lz4, zstd };
// The names of the compression types, in the enum's order.
inline constexpr std::array<const char*, 6> compression_type_names{"producer", "uncompressed", "gzip",
                                                                   "snappy",   "lz4",          "zstd"};
const char* to_string(compression_type t);
std::optional<compression_type> parse_compression_type(std::string_view name);
// "producer, uncompressed, gzip, snappy, lz4, zstd", for error messages.
std::string compression_type_list();
// The codec every batch is stored with; nothing for `producer`.
std::optional<codec> stored_codec(compression_type t);

}  // namespace gafka::log
