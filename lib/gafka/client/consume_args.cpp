#include "gafka/client/consume_args.h"

#include <unistd.h>

#include "gafka/util/duration.h"
#include "gafka/util/time_text.h"

namespace gafka::client {

std::optional<std::string> apply_consume_args(const consume_args& a, std::int64_t now_ms, consume_options& o) {
    auto t = util::parse_duration(a.timeout);
    if (!t.ok()) return t.error().message();
    if (*t > std::chrono::seconds(30)) return "--timeout is at most 30s";
    o.timeout = *t;
    o.values_only = a.format == "value";
    if (a.from_beginning) o.offset = "earliest";
    if (a.from_time) {
        auto when = util::parse_time(*a.from_time, now_ms);
        if (!when.ok()) return "--from-time: " + when.error().message();
        o.from_time_ms = *when;
    }
    if (a.offset) {
        bool number = !a.offset->empty() && a.offset->find_first_not_of("0123456789") == std::string::npos;
        if (!number && *a.offset != "earliest" && *a.offset != "latest")
            return "--offset takes a number, earliest or latest";
        if (number && !o.partition) return "--offset N needs --partition";
        o.offset = *a.offset;
    }
    if (o.group && o.consumer_id.empty()) {
        char host[256] = "host";
        gethostname(host, sizeof host - 1);
        o.consumer_id = std::string(host) + "-" + std::to_string(getpid());
    }
    return std::nullopt;
}

}  // namespace gafka::client
