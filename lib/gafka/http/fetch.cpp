#include "gafka/http/fetch.h"

#include <charconv>

#include "gafka/broker/fetch_path.h"
#include "gafka/json/record_json.h"
#include "gafka/log/decoded_batch.h"
#include "gafka/util/duration.h"

namespace gafka::http {

namespace {
constexpr std::size_t max_fetch_bytes = 4 << 20;
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
    while (f.count < max) {
        auto r = broker::read_batches(p, f.next_offset, max_fetch_bytes);
        if (!r.ok()) {
            if (f.count > 0) break;  // serve what was read; the next call reports it
            return r.error();
        }
        if (r->data.empty()) break;
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
