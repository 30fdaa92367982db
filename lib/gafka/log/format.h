#pragma once
// The on-disk format of a gafka segment file, in one place. The writer
// (batch_builder), the reader (batch_reader / segment_scanner), recovery and
// gafka-walcheck all include this header; man/gafka-wal.5 describes the same
// bytes in prose. All integers are little-endian. Changing anything here is a
// format change: bump batch_magic.
#include <cstddef>
#include <cstdint>

namespace gafka::log {

// A segment file `<base_offset>.log` (base offset as 20 zero-padded digits)
// holds record batches back to back, nothing else.
//
// Batch header (batch_header_size bytes):
//   off  size  field
//     0     4  crc             CRC-32C (Castagnoli) of bytes [4, length)
//     4     4  length          whole batch in bytes, header included
//     8     8  base_offset     offset of the first record (int64)
//    16     8  first_timestamp ms since the epoch, of the first record
//    24     8  max_timestamp   largest record timestamp in the batch
//    32     8  producer_id     -1 when the producer is not idempotent
//    40     4  base_sequence   -1 when the producer is not idempotent
//    44     4  leader_epoch    epoch of the leader that appended the batch
//    48     4  record_count    >= 1; record i has offset base_offset + i
//    52     1  magic           batch_magic
//    53     1  attributes      0 (reserved for compression)
//    54     2  reserved        0
//    56        records, record_count of them
//
// Record:
//     0     4  body_length     bytes of the record after this field
//     4     8  timestamp       ms since the epoch (int64)
//    12     4  key_length      -1 for no key
//    16     n  key bytes
//           4  value_length    -1 for no value
//           n  value bytes
//           4  header_count
//              header_count x { u32 name_length, name, u32 value_length, value }
namespace batch_field {
inline constexpr std::size_t crc = 0;
inline constexpr std::size_t length = 4;
inline constexpr std::size_t base_offset = 8;
inline constexpr std::size_t first_timestamp = 16;
inline constexpr std::size_t max_timestamp = 24;
inline constexpr std::size_t producer_id = 32;
inline constexpr std::size_t base_sequence = 40;
inline constexpr std::size_t leader_epoch = 44;
inline constexpr std::size_t record_count = 48;
inline constexpr std::size_t magic = 52;
inline constexpr std::size_t attributes = 53;
inline constexpr std::size_t reserved = 54;
}  // namespace batch_field

inline constexpr std::size_t batch_header_size = 56;
inline constexpr std::size_t crc_start = batch_field::length;  // CRC covers [4, length)
inline constexpr std::uint8_t batch_magic = 1;

// The smallest record: body_length + timestamp + key_length + value_length + header_count.
inline constexpr std::size_t record_overhead = 4 + 8 + 4 + 4 + 4;

// Sanity bounds a reader applies before trusting a length field. A batch
// longer than this is treated as damage, not as a huge allocation.
inline constexpr std::uint32_t max_batch_bytes = 64u << 20;
inline constexpr std::int32_t max_batch_records = 1 << 20;

// Index file `<base_offset>.idx`: entries back to back, nothing else.
//     0     4  relative_offset  batch base offset minus the segment base offset
//     4     4  position         byte position of that batch in the .log file
//     8     8  max_timestamp    largest timestamp in the segment up to and
//                               including this batch (running maximum)
// Sparse: one entry for a segment's first batch, then one whenever at least
// index_interval_bytes were written since the previous entry, and one for the
// last batch when a segment is sealed. Always rebuildable from the .log file.
inline constexpr std::size_t index_entry_size = 16;
inline constexpr std::size_t default_index_interval_bytes = 4096;

inline constexpr std::uint64_t default_segment_bytes = 128ull << 20;
// The sizes a segment may roll at: index positions are 32-bit, and a batch
// may still be appended to a segment just under the limit.
inline constexpr std::uint64_t min_segment_bytes = 1024;
inline constexpr std::uint64_t max_segment_bytes = std::uint64_t{UINT32_MAX} - max_batch_bytes;

// Partition directory files besides segments.
inline constexpr const char* recovery_point_file = "recovery-point";
inline constexpr const char* log_suffix = ".log";
inline constexpr const char* index_suffix = ".idx";
inline constexpr int segment_name_digits = 20;

}  // namespace gafka::log
