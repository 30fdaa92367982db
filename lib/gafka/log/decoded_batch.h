#pragma once
// Reading and writing the records of compressed batches (compression.h).
#include <string>
#include <string_view>

#include "gafka/log/batch.h"
#include "gafka/log/compression.h"
#include "gafka/util/status.h"

namespace gafka::log {

// The records of one batch, whatever its compression: walked in place when
// the batch is uncompressed (no copy, no allocation), decompressed into a
// buffer this object owns otherwise. `batch` passed check_header (as every
// batch a partition_log read returns) and outlives this object. Neither
// copyable nor movable: the walker points into the owned buffer.
class decoded_batch {
public:
    explicit decoded_batch(std::string_view batch, std::size_t limit = max_decompressed_bytes);
    decoded_batch(const decoded_batch&) = delete;
    decoded_batch& operator=(const decoded_batch&) = delete;

    // The batch's own header (its compression bits included).
    const batch_header& header() const { return records_.header(); }
    // Fills `out` with the next record (valid while this object and the
    // batch live); false at the end, or at once when decompression failed.
    bool next(record_view& out) { return error_.ok() && records_.next(out); }
    bool at_end() const { return records_.at_end(); }
    // Why the records could not be decompressed (corruption, too_large); ok otherwise.
    const status& error() const { return error_; }

private:
    std::string decompressed_;
    status error_;
    batch_records records_;
};

// The same batch with its records stored with codec `c` (codec::none: as
// plain records): every header field kept but the compression bits, the
// length and the CRC. `batch` passed check_batch; any codec in, any out.
result<std::string> compress_batch(std::string_view batch, codec c);

}  // namespace gafka::log
