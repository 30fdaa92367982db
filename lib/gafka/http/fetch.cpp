#include "gafka/http/fetch.h"

#include <algorithm>
#include <charconv>

#include "gafka/broker/fetch_path.h"
#include "gafka/json/record_json.h"
#include "gafka/log/decoded_batch.h"
#include "gafka/util/duration.h"

namespace gafka::http {

namespace {
constexpr std::size_t max_fetch_bytes = 4 << 20;
constexpr std::size_t min_fetch_bytes = 64 << 10;

// How much to read for `left` more records: about what they take, by the
// bytes per record of the last read (the first batch is read whole however
// small this is). A read of the whole 4 MiB for 500 records of 1 KiB had
// the log zero-fill, copy and CRC-check eight times what the answer used,
// on every request of a catch-up read: three fifths of the broker's CPU.
std::size_t read_size(std::int64_t left, std::size_t bytes_per_record) {
    auto want = static_cast<std::uint64_t>(left + 1) * bytes_per_record;
    return static_cast<std::size_t>(std::clamp<std::uint64_t>(want, min_fetch_bytes, max_fetch_bytes));
}
}  // namespace

std::optional<std::int64_t> parse_int(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

result<fetch> read_records(broker::partition& p, const std::string& topic, log::offset_t offset, std::int64_t max,
                           std::string& json, bool after_records) {
    fetch f;
    f.next_offset = offset;
    json::record_origin origin{topic, p.id()};
    std::size_t bytes_per_record = 0;  // unknown before the first read: read min_fetch_bytes
    while (f.count < max) {
        auto r = broker::read_batches(p, f.next_offset, read_size(max - f.count, bytes_per_record));
        if (!r.ok()) {
            if (f.count > 0) break;  // serve what was read; the next call reports it
            return r.error();
        }
        if (r->data.empty()) break;
        if (r->next_offset > f.next_offset)
            bytes_per_record = r->data.size() / static_cast<std::size_t>(r->next_offset - f.next_offset) + 1;
        // JSON takes about a third more than the stored bytes: grow once.
        json.reserve(json.size() + r->data.size() + r->data.size() / 2);
        std::string_view data(r->data);
        while (!data.empty() && f.count < max) {
            auto h = log::decode_header(data.data());
            log::decoded_batch records(data.substr(0, h.length));
            if (!records.error().ok()) {
                if (f.count > 0) return f;  // serve what was read; the next call reports it
                return records.error();
            }
            log::record_view rv;
            while (f.count < max && records.next(rv)) {
                if (rv.offset < f.next_offset) continue;
                if (f.count > 0 || after_records) json += ',';
                json::append_record_json(json, origin, rv);
                f.next_offset = rv.offset + 1;
                ++f.count;
                f.bytes += static_cast<std::int64_t>(rv.key.value_or("").size() + rv.value.value_or("").size());
            }
            data.remove_prefix(h.length);
        }
    }
    return f;
}


std::optional<api_error> parse_fetch_params(const target& t, fetch_params& out) {
    if (auto c = t.get("count")) {
        auto v = parse_int(*c);
        if (!v || *v < 1 || *v > max_fetch_count)
            return api_error::bad_request("'count' must be between 1 and " + std::to_string(max_fetch_count));
        out.count = *v;
    }
    if (auto d = t.get("timeout")) {
        auto v = util::parse_duration(*d);
        if (!v.ok()) return api_error::bad_request(v.error().message());
        if (*v > max_poll_timeout) return api_error::bad_request("'timeout' is at most 30s");
        out.timeout = *v;
    }
    return std::nullopt;
}

}  // namespace gafka::http
