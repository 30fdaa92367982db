#include "gafka/client/exec_delivery.h"

#include <ostream>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/record_exec.h"
#include "gafka/client/record_output.h"

namespace gafka::client {
namespace {

constexpr std::chrono::milliseconds keep_alive_every{3000};

// The record as a produce request for the dead-letter topic: its key, value,
// headers and timestamp, plus headers saying where it came from and why.
std::string dead_letter_body(const std::string& topic, const rapidjson::Value& record, int exit_status,
                             int attempts) {
    rapidjson::Document d;
    d.CopyFrom(record, d.GetAllocator());
    auto& a = d.GetAllocator();
    std::string origin[3] = {d["topic"].GetString(), std::to_string(d["partition"].GetInt()),
                             std::to_string(d["offset"].GetInt64())};
    d.RemoveMember("partition");
    d.RemoveMember("offset");
    d["topic"].SetString(topic.c_str(), static_cast<rapidjson::SizeType>(topic.size()), a);
    if (!d.HasMember("headers")) d.AddMember("headers", rapidjson::Value(rapidjson::kObjectType), a);
    auto& h = d["headers"];
    auto add = [&](const char* name, const std::string& value) {
        h.RemoveMember(name);
        h.AddMember(rapidjson::Value(name, a), rapidjson::Value(value.c_str(), a), a);
    };
    add("gafka.dead_letter.topic", origin[0]);
    add("gafka.dead_letter.partition", origin[1]);
    add("gafka.dead_letter.offset", origin[2]);
    add("gafka.dead_letter.exit_status", std::to_string(exit_status));
    add("gafka.dead_letter.attempts", std::to_string(attempts));
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    return buf.GetString();
}

}  // namespace

bool deliver_by_exec(const exec_delivery_options& opts, const rapidjson::Value& record, broker_client& client,
                     std::ostream& err, const std::function<void()>& keep_alive) {
    auto input = format_record_line(record, opts.values_only);
    std::vector<std::pair<std::string, std::string>> env = {
        {"GAFKA_TOPIC", record["topic"].GetString()},
        {"GAFKA_PARTITION", std::to_string(record["partition"].GetInt())},
        {"GAFKA_OFFSET", std::to_string(record["offset"].GetInt64())},
        {"GAFKA_GROUP", opts.group},
    };
    auto where = std::string(record["topic"].GetString()) + "/" + env[1].second + "@" + env[2].second;
    int exit_status = 0;
    for (int attempt = 1; attempt <= opts.max_attempts; ++attempt) {
        env.emplace_back("GAFKA_ATTEMPT", std::to_string(attempt));
        auto r = run_for_record(opts.command, input, env, keep_alive, keep_alive_every);
        env.pop_back();
        if (!r.ok()) {
            err << "gafka-consume: error: cannot run --exec: " << r.error().message() << "\n";
            return false;
        }
        if (r->ok()) return true;
        exit_status = r->exit_status;
        err << "gafka-consume: --exec exited " << exit_status << " for " << where << " (attempt " << attempt
            << " of " << opts.max_attempts << ")\n";
        if (attempt < opts.max_attempts) std::this_thread::sleep_for(opts.retry_backoff);
    }
    if (!opts.dead_letter) return false;
    auto body = dead_letter_body(*opts.dead_letter, record, exit_status, opts.max_attempts);
    auto r = client.call("POST", "/api/v1/produce", body, "application/json");
    if (!r.ok() || r->status != 200) {
        err << "gafka-consume: error: could not write " << where << " to dead-letter topic '" << *opts.dead_letter
            << "': " << (r.ok() ? describe_error(*r) : r.error().message()) << "\n";
        return false;
    }
    err << "gafka-consume: " << where << " moved to dead-letter topic '" << *opts.dead_letter << "'\n";
    return true;
}

}  // namespace gafka::client
