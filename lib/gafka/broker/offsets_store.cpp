#include "gafka/broker/offsets_store.h"

#include <charconv>
#include <chrono>

#include "gafka/log/decoded_batch.h"

namespace gafka::broker {
namespace {

std::optional<std::pair<std::string, topic_partition>> split_key(std::string_view key) {
    auto a = key.find('\n');
    auto b = a == std::string_view::npos ? a : key.find('\n', a + 1);
    if (b == std::string_view::npos) return std::nullopt;
    std::int32_t p = 0;
    auto part = key.substr(b + 1);
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), p);
    if (ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    return std::pair{std::string(key.substr(0, a)), topic_partition{std::string(key.substr(a + 1, b - a - 1)), p}};
}

}  // namespace

result<std::unique_ptr<offsets_store>> offsets_store::open(const std::filesystem::path& data_dir,
                                                           log::log_options options) {
    options.segment_bytes = 16 << 20;
    auto log = log::partition_log::open(data_dir / "groups" / "offsets", std::move(options));
    if (!log.ok()) return log.error();
    return std::unique_ptr<offsets_store>(new offsets_store(std::move(*log)));
}

status offsets_store::replay(
    const std::function<void(const std::string&, const topic_partition&, log::offset_t)>& visit) const {
    auto next = log_->log_start_offset();
    for (;;) {
        auto r = log_->read(next, 1 << 20);
        if (!r.ok()) return r.error();
        if (r->data.empty()) return {};
        std::string_view data(r->data);
        while (!data.empty()) {
            auto h = log::decode_header(data.data());
            log::decoded_batch records(data.substr(0, h.length));
            if (!records.error().ok()) return records.error();
            log::record_view rv;
            while (records.next(rv)) {
                if (!rv.key || !rv.value) continue;
                auto k = split_key(*rv.key);
                log::offset_t off = 0;
                auto [ptr, ec] = std::from_chars(rv.value->data(), rv.value->data() + rv.value->size(), off);
                if (k && ec == std::errc()) visit(k->first, k->second, off);
            }
            data.remove_prefix(h.length);
        }
        next = r->next_offset;
    }
}

result<log::offset_t> offsets_store::append(const std::string& group, const topic_partition& tp,
                                            log::offset_t offset) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    log::batch_builder b;
    b.add(now, group + "\n" + tp.topic + "\n" + std::to_string(tp.partition), std::to_string(offset));
    auto r = log_->append(b.finish());
    if (!r.ok()) return r.error();
    return r->last_offset + 1;
}

}  // namespace gafka::broker
