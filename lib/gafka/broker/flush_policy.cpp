#include "gafka/broker/flush_policy.h"

#include "gafka/util/duration.h"

namespace gafka::broker {

std::string flush_policy::to_string() const {
    switch (kind) {
        case mode::always: return "always";
        case mode::never: return "never";
        case mode::interval: return "interval:" + std::to_string(interval.count());
    }
    return "always";
}

result<flush_policy> parse_flush_policy(std::string_view text) {
    flush_policy p;
    if (text == "always") return p;
    if (text == "never") {
        p.kind = flush_policy::mode::never;
        return p;
    }
    if (text.starts_with("interval:")) {
        auto d = util::parse_duration(text.substr(9));
        if (!d.ok() || d->count() <= 0)
            return status::invalid_argument("invalid --flush interval '" + std::string(text.substr(9)) + "'");
        p.kind = flush_policy::mode::interval;
        p.interval = *d;
        return p;
    }
    return status::invalid_argument("invalid --flush '" + std::string(text) +
                                    "' (expected always, interval:MS or never)");
}

}  // namespace gafka::broker
