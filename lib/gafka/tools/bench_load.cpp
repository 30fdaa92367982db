#include "gafka/tools/bench_load.h"

#include <charconv>
#include <cstdio>

#include <rapidjson/document.h>

namespace gafka::tools {

result<std::unique_ptr<client::broker_client>> connect_worker(const load_bench_options& opts,
                                                              std::chrono::milliseconds extra_timeout) {
    client::client_options co;
    co.timeout = opts.timeout + extra_timeout;
    co.retries = 2;
    return client::broker_client::connect(opts.brokers, co);
}

result<bench_topic> prepare_topic(client::broker_client& c, const load_bench_options& opts) {
    bench_topic t{opts.topic.empty() ? default_topic(opts.partitions) : opts.topic, 0};
    auto r = c.call("GET", "/api/v1/topics/" + t.name);
    if (!r.ok()) return r.error();
    if (r->status == 404) {
        auto body = "{\"name\":\"" + t.name + "\",\"partitions\":" + std::to_string(opts.partitions) + "}";
        auto created = c.call("POST", "/api/v1/topics", body, "application/json");
        if (!created.ok()) return created.error();
        if (created->status != 201 && client::error_code(*created) != "topic_exists")
            return status::unavailable(describe_reply("creating topic '" + t.name + "'", *created));
        r = c.call("GET", "/api/v1/topics/" + t.name);
        if (!r.ok()) return r.error();
    }
    if (r->status != 200) return status::unavailable(describe_reply("topic '" + t.name + "'", *r));
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("partitions") || !d["partitions"].IsInt())
        return status::unavailable("malformed topic description from the broker");
    t.partitions = d["partitions"].GetInt();
    return t;
}

result<std::vector<partition_range>> partition_ranges(client::broker_client& c, const std::string& topic) {
    auto r = c.call("GET", "/api/v1/topics/" + topic);
    if (!r.ok()) return r.error();
    if (r->status != 200) return status::unavailable(describe_reply("topic '" + topic + "'", *r));
    rapidjson::Document d;
    d.Parse(r->body.data(), r->body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("partition_info") || !d["partition_info"].IsArray())
        return status::unavailable("malformed topic description from the broker");
    std::vector<partition_range> out;
    for (const auto& p : d["partition_info"].GetArray()) {
        if (!p.IsObject() || !p.HasMember("log_start_offset") || !p.HasMember("high_watermark") ||
            !p["log_start_offset"].IsInt64() || !p["high_watermark"].IsInt64())
            return status::unavailable("malformed partition_info from the broker");
        out.push_back({p["log_start_offset"].GetInt64(), p["high_watermark"].GetInt64()});
    }
    return out;
}

record_payload::record_payload(std::int64_t size) : filler_(static_cast<std::size_t>(size), 'x') {
    for (std::size_t i = 0; i < filler_.size(); ++i) filler_[i] = static_cast<char>('a' + i % 26);
}

void record_payload::append_body(std::string& body, std::string_view topic, std::int32_t partition, std::int64_t n,
                                 const std::int64_t* stamps) const {
    char head[48];
    auto head_len = std::snprintf(head, sizeof head, R"({"partition":%d,"value":")", partition);
    body.reserve(body.size() + topic.size() + 32 +
                 static_cast<std::size_t>(n) * (filler_.size() + static_cast<std::size_t>(head_len) + 4));
    body += R"({"topic":")";
    body += topic;
    body += R"(","records":[)";
    for (std::int64_t k = 0; k < n; ++k) {
        if (k) body += ',';
        body.append(head, static_cast<std::size_t>(head_len));
        if (stamps) {
            char stamp[32];
            std::snprintf(stamp, sizeof stamp, "%020lld ", static_cast<long long>(stamps[k]));
            body.append(stamp, stamp_bytes);
            body.append(filler_, stamp_bytes);
        } else {
            body += filler_;
        }
        body += "\"}";
    }
    body += "]}";
}

std::optional<std::int64_t> read_stamp(std::string_view value) {
    if (value.size() < static_cast<std::size_t>(stamp_bytes) || value[stamp_bytes - 1] != ' ') return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(stamp_bytes); ++i) {
        if (value[i] < '0' || value[i] > '9') return std::nullopt;
        v = v * 10 + (value[i] - '0');
    }
    return v;
}

void first_failure::set(std::string message) {
    std::lock_guard lock(mu_);
    if (failed_.load()) return;
    message_ = std::move(message);
    failed_.store(true);
}

std::string first_failure::message() const {
    std::lock_guard lock(mu_);
    return message_;
}

std::string describe_reply(const std::string& what, const client::http_reply& reply) {
    return what + ": " + client::describe_error(reply);
}

std::string describe_reply(const std::string& what, unsigned status, std::string_view body) {
    return describe_reply(what, client::http_reply{status, std::string(body)});
}

}  // namespace gafka::tools

namespace gafka::tools {

std::optional<std::int64_t> json_int_field(std::string_view body, std::string_view key, bool last) {
    std::string pattern = "\"" + std::string(key) + "\":";
    auto at = last ? body.rfind(pattern) : body.find(pattern);
    if (at == std::string_view::npos) return std::nullopt;
    std::int64_t n = 0;
    auto first = body.data() + at + pattern.size();
    auto [ptr, ec] = std::from_chars(first, body.data() + body.size(), n);
    if (ec != std::errc() || ptr == first) return std::nullopt;
    return n;
}

}  // namespace gafka::tools
