#pragma once
// The batch format of gafka 0.1 (magic 1), read so that a data dir written
// by that release still opens: segment::open rewrites such a segment as
// magic 2 (format.h) once, and gafka-walcheck checks and dumps it as it is.
// Nothing writes magic 1 any more.
//
// Batch header (header_size bytes), all integers little-endian:
//   off  size  field
//     0     4  crc             CRC-32C of bytes [4, length)
//     4     4  length          whole batch in bytes, header included
//     8     8  base_offset
//    16     8  first_timestamp
//    24     8  max_timestamp
//    32     8  producer_id     -1 when the producer is not idempotent
//    40     4  base_sequence   -1 when the producer is not idempotent
//    44     4  leader_epoch
//    48     4  record_count    >= 1
//    52     1  magic           1
//    53     1  attributes      0
//    54     2  reserved        0
//    56        records: { u32 body_length, i64 timestamp, i32 key_length
//              (-1: none), key, i32 value_length (-1: none), value,
//              u32 header_count, header_count x { u32 name_length, name,
//              u32 value_length, value } }
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gafka/log/batch.h"

namespace gafka::log::v1 {

inline constexpr std::size_t header_size = 56;
inline constexpr std::uint8_t magic = 1;
inline constexpr std::size_t magic_position = 52;

// Whether the bytes at the start of a segment are a whole, valid magic-1
// batch (`bytes` holds at least its first batch, or the whole file).
bool starts_with_v1_batch(std::string_view bytes);

// Reads the header fields (header_size bytes; no checks); `magic` is 1.
batch_header decode_header(const char* p);
batch_problem check_header(const batch_header& h, std::string_view header_bytes);
batch_problem check_batch(std::string_view batch);

class batch_records {
public:
    explicit batch_records(std::string_view batch);
    bool next(record_view& out);

private:
    std::string_view batch_;
    batch_header header_;
    std::size_t pos_ = header_size;
    std::int32_t index_ = 0;
};

// The same records, offsets, timestamps, leader epoch, producer id and base
// sequence as one magic-2 batch. `batch` passed check_batch().
std::string to_v2(std::string_view batch);

}  // namespace gafka::log::v1
