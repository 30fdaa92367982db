#pragma once
// The on-disk format of a gafka segment file, in one place. The writer
// (batch_builder), the reader (batch_reader / segment_scanner), recovery and
// gafka-walcheck all include this header; man/gafka-wal.5 describes the same
// bytes in prose. Changing anything here is a format change: bump batch_magic.
#include <cstddef>
#include <cstdint>

namespace gafka::log {

// A segment file `<base_offset>.log` (base offset as 20 zero-padded digits)
// holds record batches back to back, nothing else. Since gafka 0.2 they are
// Kafka's RecordBatch v2 (magic 2), byte for byte what a Kafka client sends
// and fetches; segments written by earlier releases (magic 1, batch_v1.h)
// are read too and rewritten as magic 2 once, when a partition is opened.
//
// Batch header (batch_header_size bytes), all integers big-endian:
//   off  size  field
//     0     8  base_offset      offset of the first record (int64)
//     8     4  batch_length     bytes after this field (whole batch - 12)
//    12     4  leader_epoch     epoch of the leader that appended the batch
//    16     1  magic            batch_magic (2)
//    17     4  crc              CRC-32C (Castagnoli) of bytes [21, end)
//    21     2  attributes       bits 0-2 compression (0 none, 1 gzip,
//                               2 snappy, 3 lz4, 4 zstd), bit 3 timestamp
//                               type, bit 4 transactional, bit 5 control
//    23     4  last_offset_delta record_count - 1
//    27     8  first_timestamp  ms since the epoch, of the first record
//    35     8  max_timestamp    largest record timestamp in the batch
//    43     8  producer_id      -1 when the producer is not idempotent
//    51     2  producer_epoch   -1 when the producer is not idempotent
//    53     4  base_sequence    -1 when the producer is not idempotent
//    57     4  record_count     >= 1; record i has offset base_offset + i
//    61        records, record_count of them
// base_offset and leader_epoch are outside the CRC: the broker stamps them
// on a client's batch without recomputing it.
//
// Record (varint = zigzag varint as in protobuf, at most 5 bytes; varlong at
// most 10):
//   varint    length           bytes of the record after this field
//   int8      attributes       0
//   varlong   timestamp_delta  timestamp - first_timestamp
//   varint    offset_delta     i for record i
//   varint    key_length       -1 for no key
//             key bytes
//   varint    value_length     -1 for no value
//             value bytes
//   varint    header_count
//             header_count x { varint name_length, name, varint value_length, value }
namespace batch_field {
inline constexpr std::size_t base_offset = 0;
inline constexpr std::size_t batch_length = 8;
inline constexpr std::size_t leader_epoch = 12;
inline constexpr std::size_t magic = 16;
inline constexpr std::size_t crc = 17;
inline constexpr std::size_t attributes = 21;
inline constexpr std::size_t last_offset_delta = 23;
inline constexpr std::size_t first_timestamp = 27;
inline constexpr std::size_t max_timestamp = 35;
inline constexpr std::size_t producer_id = 43;
inline constexpr std::size_t producer_epoch = 51;
inline constexpr std::size_t base_sequence = 53;
inline constexpr std::size_t record_count = 57;
}  // namespace batch_field

inline constexpr std::size_t batch_header_size = 61;
inline constexpr std::size_t batch_length_base = 12;  // batch_length counts the bytes after base_offset and itself
inline constexpr std::size_t crc_start = batch_field::attributes;  // CRC covers [21, end)
inline constexpr std::uint8_t batch_magic = 2;

// attributes bits.
inline constexpr std::uint16_t compression_mask = 0x07;
inline constexpr std::uint16_t transactional_flag = 0x10;
inline constexpr std::uint16_t control_flag = 0x20;

// The smallest record: length, attributes, timestamp_delta, offset_delta,
// key_length, value_length and header_count, one byte each.
inline constexpr std::size_t record_overhead = 7;

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
