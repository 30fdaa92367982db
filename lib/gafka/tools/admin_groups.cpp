#include "gafka/tools/admin_groups.h"

#include <algorithm>
#include <map>
#include <ostream>

#include <rapidjson/document.h>

#include "gafka/rules/names.h"
#include "gafka/tools/admin_request.h"
#include "gafka/util/clock.h"
#include "gafka/util/time_text.h"

namespace gafka::tools {
namespace {

// One request expecting 200; its answer, or nothing (reported) with the exit code in `code`.
std::optional<rapidjson::Document> ask(const std::string& brokers, const std::string& method,
                                       const std::string& target, const std::string& body, std::ostream& err,
                                       int& code) {
    auto a = admin_request(brokers, method, target, body, 200, err);
    code = a.exit_code;
    return std::move(a.body);
}

bool names_ok(const std::string& group, const std::optional<std::string>& topic, std::ostream& err) {
    return name_ok(rules::check_group_id(group), err) && (!topic || name_ok(rules::check_topic_name(*topic), err));
}

}  // namespace

int admin_list_groups(const std::string& brokers, std::ostream& out, std::ostream& err) {
    int code = 0;
    auto d = ask(brokers, "GET", "/api/v1/consumer-groups", "", err, code);
    if (!d) return code;
    for (const auto& g : (*d)["groups"].GetArray()) out << json_line(g);
    out << std::flush;
    return 0;
}

int admin_describe_group(const std::string& brokers, const std::string& group, std::ostream& out,
                         std::ostream& err) {
    if (!names_ok(group, std::nullopt, err)) return 2;
    int code = 0;
    auto d = ask(brokers, "GET", "/api/v1/consumer-groups/" + group + "/status", "", err, code);
    if (!d) return code;
    out << json_line(*d) << std::flush;
    return 0;
}

int admin_lag(const std::string& brokers, const std::string& group, std::optional<std::int64_t> max_lag,
              std::ostream& out, std::ostream& err) {
    if (!names_ok(group, std::nullopt, err)) return 2;
    int code = 0;
    auto d = ask(brokers, "GET", "/api/v1/consumer-groups/" + group + "/status", "", err, code);
    if (!d) return code;
    auto total = (*d)["total_lag"].GetInt64();
    bool over = max_lag && total > *max_lag;
    std::string line = "{\"group\":\"" + group + "\",\"total_lag\":" + std::to_string(total) +
                       ",\"max_lag\":" + (max_lag ? std::to_string(*max_lag) : "null") +
                       ",\"over\":" + (over ? "true" : "false") + ",\"partitions\":[";
    bool first = true;
    for (const auto& p : (*d)["partitions"].GetArray()) {
        line += std::string(first ? "" : ",") + "{\"topic\":\"" + p["topic"].GetString() +
                "\",\"partition\":" + std::to_string(p["partition"].GetInt()) +
                ",\"lag\":" + std::to_string(p["lag"].GetInt64()) + "}";
        first = false;
    }
    out << line << "]}\n" << std::flush;
    if (over)
        err << "gafka-admin: group '" << group << "' is " << total << " records behind, over --max-lag " << *max_lag
            << "\n";
    return over ? 1 : 0;
}

int admin_delete_group(const std::string& brokers, const std::string& group, std::ostream& out,
                       std::ostream& err) {
    if (!names_ok(group, std::nullopt, err)) return 2;
    int code = 0;
    auto d = ask(brokers, "DELETE", "/api/v1/consumer-groups/" + group, "", err, code);
    if (!d) return code;
    out << json_line(*d) << std::flush;
    return 0;
}

int admin_reset_offsets(const reset_options& o, std::ostream& out, std::ostream& err) {
    if (!names_ok(o.group, o.topic, err)) return 2;
    std::optional<std::int64_t> when;
    if (o.to_time) {
        auto t = util::parse_time(*o.to_time, util::wall_clock_ms());
        if (!t.ok()) {
            err << "gafka-admin: error: --to-time: " << t.error().message() << "\n";
            return 2;
        }
        when = *t;
    }
    int code = 0;
    auto topic = ask(o.brokers, "GET", "/api/v1/topics/" + o.topic, "", err, code);
    if (!topic) return code;
    // Where each partition's first record at or after the time is.
    std::map<std::int32_t, std::int64_t> by_time;
    if (when) {
        auto d = ask(o.brokers, "GET", "/api/v1/topics/" + o.topic + "/offsets?time=" + std::to_string(*when), "",
                     err, code);
        if (!d) return code;
        for (const auto& p : (*d)["partitions"].GetArray()) by_time[p["partition"].GetInt()] = p["offset"].GetInt64();
    }
    // What the group has committed now (a group with nothing committed is unknown: fine).
    std::map<std::int32_t, std::int64_t> current;
    auto status = admin_request(o.brokers, "GET", "/api/v1/consumer-groups/" + o.group + "/status", "", 200, err,
                                "unknown_group");
    if (status.exit_code != 0) return status.exit_code;
    if (status.body && status.body->HasMember("partitions"))
        for (const auto& p : (*status.body)["partitions"].GetArray())
            if (p["topic"].GetString() == o.topic && p["committed_offset"].IsInt64())
                current[p["partition"].GetInt()] = p["committed_offset"].GetInt64();
    std::string plan, offsets;
    bool any = false;
    for (const auto& p : (*topic)["partition_info"].GetArray()) {
        auto id = p["partition"].GetInt();
        if (o.partition && *o.partition != id) continue;
        auto start = p["log_start_offset"].GetInt64(), end = p["high_watermark"].GetInt64();
        auto target = o.to_earliest ? start
                      : o.to_latest ? end
                      : when        ? std::clamp(by_time.count(id) ? by_time[id] : end, start, end)
                                    : std::clamp(*o.to_offset, start, end);
        if (o.to_offset && target != *o.to_offset)  // as kafka-consumer-groups says it
            err << "gafka-admin: warning: offset " << *o.to_offset << " is outside [" << start << ", " << end
                << "] of " << o.topic << "/" << id << "; using " << target << "\n";
        plan += "{\"group\":\"" + o.group + "\",\"topic\":\"" + o.topic + "\",\"partition\":" + std::to_string(id) +
                ",\"current_offset\":" + (current.count(id) ? std::to_string(current[id]) : "null") +
                ",\"new_offset\":" + std::to_string(target) + "}\n";
        offsets += std::string(any ? "," : "") + "{\"topic\":\"" + o.topic + "\",\"partition\":" +
                   std::to_string(id) + ",\"offset\":" + std::to_string(target) + "}";
        any = true;
    }
    if (!any) {
        err << "gafka-admin: error: partition " << *o.partition << " does not exist in '" << o.topic << "'\n";
        return 1;
    }
    if (!o.dry_run && !ask(o.brokers, "POST", "/api/v1/consumer-groups/" + o.group + "/offsets",
                           "{\"offsets\":[" + offsets + "]}", err, code))
        return code;
    out << plan << std::flush;
    return 0;
}

}  // namespace gafka::tools
