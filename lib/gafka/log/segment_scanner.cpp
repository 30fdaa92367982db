#include "gafka/log/segment_scanner.h"

#include <algorithm>
#include <string>

#include "gafka/log/batch_v1.h"

namespace gafka::log {

const batch_format format_v2{batch_magic, batch_header_size, batch_field::magic, decode_header, check_header,
                             check_batch};
const batch_format format_v1{v1::magic, v1::header_size, v1::magic_position, v1::decode_header, v1::check_header, v1::check_batch};

namespace {

constexpr std::size_t read_chunk = 1 << 20;

// Sequential reader over a file with a sliding buffer.
class chunk_reader {
public:
    chunk_reader(const util::file& f, std::uint64_t pos, std::uint64_t end) : f_(f), pos_(pos), end_(end) {}

    // Makes `n` bytes from the current position available; fewer at EOF.
    result<std::string_view> peek(std::size_t n) {
        if (buf_off_ + n > buf_.size() && buf_pos_ + buf_.size() < end_) {
            buf_.erase(0, buf_off_);
            buf_pos_ += buf_off_;
            buf_off_ = 0;
            auto want = std::min<std::uint64_t>(std::max(n, read_chunk), end_ - buf_pos_);
            auto have = buf_.size();
            if (want > have) {
                buf_.resize(want);
                auto got = f_.pread(buf_.data() + have, want - have, buf_pos_ + have);
                if (!got.ok()) return got.error();
                buf_.resize(have + *got);
            }
        }
        std::string_view all(buf_);
        all.remove_prefix(buf_off_);
        return all.substr(0, n);
    }
    void advance(std::size_t n) { buf_off_ += n; }
    std::uint64_t position() const { return buf_pos_ + buf_off_; }
    void seek(std::uint64_t pos) {
        buf_.clear();
        buf_pos_ = pos;
        buf_off_ = 0;
    }

private:
    const util::file& f_;
    std::uint64_t pos_;
    std::uint64_t end_;
    std::string buf_;
    std::uint64_t buf_pos_ = pos_;
    std::size_t buf_off_ = 0;
};

// Whether a whole valid batch starts at `pos` with an offset at or after `min_offset`.
bool valid_batch_at(const util::file& f, std::uint64_t pos, std::uint64_t size, offset_t min_offset,
                    const batch_format& fmt) {
    if (pos + fmt.header_size > size) return false;
    std::string hdr(fmt.header_size, '\0');
    auto n = f.pread(hdr.data(), hdr.size(), pos);
    if (!n.ok() || *n != hdr.size()) return false;
    auto h = fmt.decode_header(hdr.data());
    if (fmt.check_header(h, hdr) != batch_problem::none) return false;
    if (min_offset != no_offset && h.base_offset < min_offset) return false;
    if (pos + h.length > size) return false;
    std::string body(h.length, '\0');
    auto m = f.pread(body.data(), body.size(), pos);
    return m.ok() && *m == body.size() && fmt.check_batch(body) == batch_problem::none;
}

// Looks for any valid batch after a bad one, to tell mid-log corruption from a
// torn tail. Tries the bad batch's own length first, then every byte position
// whose magic byte is right: slow, but it runs only on damaged files.
bool valid_batch_after(const util::file& f, std::uint64_t bad_pos, std::uint32_t bad_length, std::uint64_t size,
                       offset_t min_offset, const batch_format& fmt) {
    if (bad_length >= fmt.header_size && bad_length <= max_batch_bytes &&
        valid_batch_at(f, bad_pos + bad_length, size, min_offset, fmt))
        return true;
    std::string buf;
    constexpr std::size_t window = 1 << 20;
    for (std::uint64_t base = bad_pos + 1; base + fmt.header_size <= size; base += window) {
        auto len = std::min<std::uint64_t>(window + fmt.header_size, size - base);
        buf.resize(len);
        auto n = f.pread(buf.data(), len, base);
        if (!n.ok()) return false;
        for (std::size_t i = 0; i + fmt.header_size <= *n && i < window; ++i) {
            if (static_cast<std::uint8_t>(buf[i + fmt.magic_position]) != fmt.magic) continue;
            std::string_view hdr(buf.data() + i, fmt.header_size);
            if (fmt.check_header(fmt.decode_header(hdr.data()), hdr) != batch_problem::none) continue;
            if (valid_batch_at(f, base + i, size, min_offset, fmt)) return true;
        }
    }
    return false;
}

// Whether every byte of `f` from `pos` to `size` is zero.
result<bool> zero_to_end(const util::file& f, std::uint64_t pos, std::uint64_t size) {
    std::string buf;
    while (pos < size) {
        buf.resize(std::min<std::uint64_t>(read_chunk, size - pos));
        auto n = f.pread(buf.data(), buf.size(), pos);
        if (!n.ok()) return n.error();
        if (*n == 0) return false;
        if (std::any_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n), [](char c) { return c != 0; }))
            return false;
        pos += *n;
    }
    return true;
}

}  // namespace

result<const batch_format*> detect_format(const util::file& f) {
    std::string first(v1::header_size, '\0');
    auto n = f.pread(first.data(), first.size(), 0);
    if (!n.ok()) return n.error();
    if (*n < first.size() || static_cast<std::uint8_t>(first[format_v1.magic_position]) != v1::magic) return &format_v2;
    auto h = v1::decode_header(first.data());
    if (v1::check_header(h, first) != batch_problem::none) return &format_v2;
    // A damaged first batch still counts as magic 1 when its header does and
    // the byte where magic 2 sits is not 2, so the rewrite reports the damage.
    if (static_cast<std::uint8_t>(first[batch_field::magic]) != batch_magic) return &format_v1;
    std::string batch(h.length, '\0');
    auto m = f.pread(batch.data(), batch.size(), 0);
    if (!m.ok()) return m.error();
    batch.resize(*m);
    return v1::starts_with_v1_batch(batch) ? &format_v1 : &format_v2;
}

result<scan_summary> scan_segment(const util::file& f, std::uint64_t position, offset_t expected_offset,
                                  const batch_visitor& visit, const batch_format& fmt) {
    auto size = f.size();
    if (!size.ok()) return size.error();
    scan_summary s;
    s.start_position = s.valid_end = position;
    s.file_size = *size;
    s.next_offset = expected_offset;
    chunk_reader in(f, position, *size);
    in.seek(position);
    while (in.position() < *size) {
        auto pos = in.position();
        auto fail = [&](batch_problem why, std::uint32_t length) -> result<scan_summary> {
            s.problem = scan_problem{pos, s.next_offset, why,
                                     valid_batch_after(f, pos, length, *size, s.next_offset, fmt)};
            return s;
        };
        auto hdr = in.peek(fmt.header_size);
        if (!hdr.ok()) return hdr.error();
        bool whole_header = hdr->size() == fmt.header_size;
        auto h = whole_header ? fmt.decode_header(hdr->data()) : batch_header{};
        auto why = whole_header ? fmt.check_header(h, *hdr) : batch_problem::truncated;
        if (why == batch_problem::zero_filled || why == batch_problem::truncated) {
            auto zeros = zero_to_end(f, pos, *size);
            if (!zeros.ok()) return zeros.error();
            if (*zeros) {
                s.preallocated = *size - pos;
                return s;
            }
        }
        if (why != batch_problem::none) return fail(why, h.length);
        auto whole = in.peek(h.length);
        if (!whole.ok()) return whole.error();
        if (whole->size() < h.length) return fail(batch_problem::truncated, h.length);
        if (auto p = fmt.check_batch(*whole); p != batch_problem::none) return fail(p, h.length);
        if (s.next_offset != no_offset && h.base_offset != s.next_offset)
            return fail(batch_problem::offset_out_of_order, h.length);
        if (s.first_offset == no_offset) s.first_offset = h.base_offset;
        s.next_offset = h.next_offset();
        s.max_timestamp = std::max(s.max_timestamp, h.max_timestamp);
        ++s.batches;
        s.records += h.record_count;
        in.advance(h.length);
        s.valid_end = in.position();
        if (visit && !visit(pos, *whole)) break;
    }
    return s;
}

}  // namespace gafka::log
