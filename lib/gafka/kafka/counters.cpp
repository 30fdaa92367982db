#include "gafka/kafka/counters.h"

#include "gafka/kafka/value.h"

namespace gafka::kafka {
namespace {

void count_errors(const value& v, counters& c) {
    if (const auto* s = std::get_if<struct_t>(&v.raw())) {
        for (std::size_t i = 0; i < s->fields.size() && i < s->schema->fields.size(); ++i) {
            const auto& f = s->schema->fields[i];
            if (f.name == "error_code" && f.kind == type::int16) {
                if (auto code = s->fields[i].integer(); code != 0) c.error(static_cast<error_code>(code));
            } else {
                count_errors(s->fields[i], c);
            }
        }
    } else if (const auto* a = std::get_if<array_t>(&v.raw())) {
        for (const auto& e : *a) count_errors(e, c);
    }
}

}  // namespace

void counters::request(api_key_t key) {
    auto slot = key >= 0 && static_cast<std::size_t>(key) < api_slots ? static_cast<std::size_t>(key) : api_slots;
    requests_[slot].fetch_add(1, std::memory_order_relaxed);
}

void counters::answered(const value& answer) { count_errors(answer, *this); }

void counters::error(error_code e) {
    auto slot = static_cast<std::size_t>(static_cast<std::int64_t>(e) + 1);
    if (slot < error_slots) errors_[slot].fetch_add(1, std::memory_order_relaxed);
}

std::int64_t counters::requests(api_key_t key) const {
    if (key < 0 || static_cast<std::size_t>(key) >= api_slots) return 0;
    return requests_[static_cast<std::size_t>(key)].load(std::memory_order_relaxed);
}

std::vector<std::pair<std::int16_t, std::int64_t>> counters::errors() const {
    std::vector<std::pair<std::int16_t, std::int64_t>> out;
    for (std::size_t i = 0; i < error_slots; ++i)
        if (auto n = errors_[i].load(std::memory_order_relaxed); n > 0)
            out.emplace_back(static_cast<std::int16_t>(static_cast<std::int64_t>(i) - 1), n);
    return out;
}

}  // namespace gafka::kafka
