// The record-batch and segment reader (log/batch.h, log/segment_scanner.h):
// whatever bytes a segment file holds, check_batch, batch_records and
// scan_segment report a problem or walk the records, never read out of
// bounds. The first input byte picks a mode; with bit 0 set the CRC of each
// batch-sized run is recomputed first, so the fuzzer reaches the record
// framing checks behind the CRC instead of stopping at crc_mismatch.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "gafka/log/batch.h"
#include "gafka/log/segment_scanner.h"
#include "gafka/util/crc32c.h"
#include "gafka/util/endian.h"
#include "gafka/util/file.h"

namespace {

namespace log = gafka::log;

// Gives every batch-shaped run (a length field in range) a correct CRC.
void fix_crcs(std::string& bytes) {
    std::size_t pos = 0;
    while (bytes.size() - pos >= log::batch_header_size) {
        auto length = std::uint64_t{gafka::util::load_be<std::uint32_t>(bytes.data() + pos + log::batch_field::batch_length)} +
                      log::batch_length_base;
        if (length < log::batch_header_size || length > bytes.size() - pos) return;
        std::uint32_t crc = gafka::crc32c::value(bytes.data() + pos + log::crc_start, length - log::crc_start);
        gafka::util::store_be(bytes.data() + pos + log::batch_field::crc, crc);
        pos += length;
    }
}

// Walks one batch's records the way reads do, touching every byte.
void walk(std::string_view batch) {
    log::batch_records records(batch);
    log::record_view rv;
    std::size_t sum = 0;
    while (records.next(rv)) {
        if (rv.key) sum += rv.key->size() + (rv.key->empty() ? 0 : static_cast<unsigned char>(rv.key->back()));
        if (rv.value) sum += rv.value->size() + (rv.value->empty() ? 0 : static_cast<unsigned char>(rv.value->back()));
        for (const auto& [name, value] : rv.headers) sum += name.size() + value.size();
        (void)rv.to_record();
    }
    if (sum == 1) std::abort();  // never: keeps the walk from being optimised away
}

// One file for the whole run, unlinked at once: libFuzzer may leave with
// _Exit, which runs no atexit handler.
const gafka::util::file& segment_file() {
    static const gafka::util::file f = [] {
        char tmpl[] = "/tmp/gafka-batch-fuzz-XXXXXX";
        int fd = ::mkstemp(tmpl);
        if (fd < 0) std::abort();
        ::close(fd);
        auto opened = gafka::util::file::open(tmpl, O_RDWR);
        ::unlink(tmpl);
        if (!opened.ok()) std::abort();
        return std::move(*opened);
    }();
    return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    if (mode & 1) fix_crcs(bytes);

    // One batch on its own, as replication and reads check it.
    if (bytes.size() >= log::batch_header_size) {
        auto h = log::decode_header(bytes.data());
        (void)log::check_header(h, std::string_view(bytes).substr(0, log::batch_header_size));
    }
    if (log::check_batch(bytes) == log::batch_problem::none) walk(bytes);

    // The same bytes as a segment file, as recovery and gafka-walcheck scan it.
    const auto& f = segment_file();
    if (!f.truncate(0).ok() || !f.pwrite_all(bytes.data(), bytes.size(), 0).ok()) std::abort();
    log::offset_t expected = (mode & 2) ? 0 : log::no_offset;
    auto summary = log::scan_segment(f, 0, expected, [](std::uint64_t, std::string_view batch) {
        walk(batch);
        return true;
    });
    if (summary.ok() && summary->valid_end > bytes.size()) std::abort();  // a good batch past the end of the file
    return 0;
}
