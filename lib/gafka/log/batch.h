#pragma once
// Encoding and decoding of record batches (bytes in log/format.h).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gafka/log/format.h"
#include "gafka/log/record.h"

namespace gafka::log {

struct batch_header {
    offset_t base_offset = 0;
    std::uint32_t length = 0;  // the whole batch in bytes, header included
    epoch_t leader_epoch = 0;
    std::uint8_t magic = batch_magic;
    std::uint32_t crc = 0;
    std::uint16_t attributes = 0;
    std::int32_t last_offset_delta = 0;
    timestamp_ms first_timestamp = 0;
    timestamp_ms max_timestamp = 0;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;
    std::int32_t record_count = 0;

    offset_t last_offset() const { return base_offset + record_count - 1; }
    offset_t next_offset() const { return base_offset + record_count; }
    int compression() const { return attributes & compression_mask; }
};

// Why a run of bytes is not a valid batch.
enum class batch_problem {
    none,
    truncated,      // fewer bytes than the header or the length field says
    zero_filled,    // the header is all zero bytes (preallocated or lost write)
    bad_length,     // length outside [header + one record, max_batch_bytes]
    bad_magic,
    bad_count,      // record_count outside [1, max_batch_records]
    crc_mismatch,
    bad_records,    // CRC good but the records overrun the batch (writer bug)
    offset_out_of_order,
    bad_offset,     // base_offset negative, or its last record's offset past the largest int64
    bad_attributes, // a compression codec this build does not know, or a control batch
    bad_compression, // CRC good but the compressed records do not decompress (or past max_decompressed_bytes)
};
const char* to_string(batch_problem p);

// Reads the header fields from `p` (batch_header_size bytes). No checks.
batch_header decode_header(const char* p);
// Checks the header fields that can be checked without the body.
batch_problem check_header(const batch_header& h, std::string_view header_bytes);
// Full check of a whole batch: header, CRC and record framing; a
// compressed batch's records are decompressed and walked (their framing and
// count).
batch_problem check_batch(std::string_view batch);
// check_batch without decompressing: a compressed batch's records are taken
// on the CRC's word. For reads of batches check_batch passed on append.
batch_problem check_batch_no_decompress(std::string_view batch);

// Builds one batch. Records are appended as they come; finish() writes the
// header and CRC. The partition log stamps the base offset (restamp) under
// its lock, so a batch can be built before its offset is known.
class batch_builder {
public:
    batch_builder();
    void add(const record& r);
    void add(timestamp_ms ts, std::optional<std::string_view> key, std::optional<std::string_view> value,
             std::span<const record_header> headers = {});
    // Room for `bytes` of records, so building a batch of known size copies nothing.
    void reserve(std::size_t bytes) { buf_.reserve(batch_header_size + bytes); }
    std::int32_t count() const { return count_; }
    std::size_t size_bytes() const { return buf_.size(); }
    bool empty() const { return count_ == 0; }
    // Returns the finished batch and resets the builder.
    // A producer id >= 0 makes an idempotent batch (producer epoch 0 unless given).
    std::string finish(offset_t base_offset = 0, epoch_t epoch = 0, std::int64_t producer_id = -1,
                       std::int32_t base_sequence = -1, std::int16_t producer_epoch = 0);

private:
    std::string buf_;
    std::string body_;  // the record being added, to learn its length
    std::int32_t count_ = 0;
    timestamp_ms first_ts_ = 0;
    timestamp_ms max_ts_ = 0;
};

// Rewrites base offset and leader epoch of a finished batch in place (both
// sit outside the CRC, so it stays valid).
void restamp(std::string& batch, offset_t base_offset, epoch_t epoch);

// The most bytes one record can take inside a batch (its varints at their
// longest).
std::size_t encoded_record_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                                std::span<const record_header> headers);

// Walks the records of one batch that passed check_batch(), in place. Not
// for compressed batches: next() returns false at once (decoded_batch.h
// walks any batch). A magic-1 batch has its own walker, v1::batch_records in
// batch_v1.h.
class batch_records {
public:
    explicit batch_records(std::string_view batch);
    // The records region of a batch with header `h`, already decompressed.
    batch_records(const batch_header& h, std::string_view records);
    const batch_header& header() const { return header_; }
    // Fills `out` with the next record; false at the end of the batch.
    bool next(record_view& out);
    // Whether every byte of the records region was read as records.
    bool at_end() const { return pos_ == records_.size(); }

private:
    batch_header header_;
    std::string_view records_;
    bool readable_ = true;
    std::size_t pos_ = 0;
    std::int32_t index_ = 0;
};

}  // namespace gafka::log
