#include "gafka/client/consumer.h"

#include <cstdio>
#include <ostream>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/record_output.h"
#include "gafka/json/consume_answer.h"
#include "gafka/rules/names.h"

namespace gafka::client {

namespace {

struct partition_cursor {
    std::int32_t id = 0;
    std::string next;                    // offset, or "earliest"/"latest" before the first answer
    std::optional<std::int64_t> end;     // --exit-at-end: the high watermark seen first
    bool done = false;
};

// The lines for every record of an answer, in `lines` (cleared first);
// false when a record does not parse.
bool append_lines(std::string& lines, const json::consume_answer& answer, bool values_only) {
    lines.clear();
    for (const auto& rec : answer.records)
        if (!append_record_line(lines, rec, values_only)) return false;
    return true;
}

}  // namespace

int run_consume(const consume_options& opts, std::FILE* out, std::ostream& err) {
    // The topic goes into URLs and JSON unescaped: only a legal name gets that far.
    if (auto s = rules::check_topic_name(opts.topic); !s.ok()) {
        err << "gafka-consume: error: " << s.message() << "\n";
        return 2;
    }

    client_options co;
    co.timeout = opts.timeout + std::chrono::seconds(10);  // the long poll itself may take `timeout`
    co.retries = opts.retries;
    auto client = broker_client::connect(opts.brokers, co);
    if (!client.ok()) {
        err << "gafka-consume: error: " << client.error().message() << "\n";
        return 2;
    }
    auto& c = **client;
    auto count = c.partition_count(opts.topic);
    if (!count) {
        auto reached = c.refresh_metadata();
        err << "gafka-consume: error: "
            << (reached.ok() ? "unknown topic '" + opts.topic + "'" : reached.message()) << "\n";
        return 1;
    }
    std::vector<partition_cursor> cursors;
    for (std::int32_t p = 0; p < *count; ++p)
        if (!opts.partition || *opts.partition == p) cursors.push_back({p, opts.offset, std::nullopt, false});
    if (opts.from_time_ms) {
        auto r = c.call("GET", "/api/v1/topics/" + opts.topic + "/offsets?time=" + std::to_string(*opts.from_time_ms));
        rapidjson::Document d;
        if (r.ok() && r->status == 200) d.Parse(r->body.data(), r->body.size());
        if (!r.ok() || r->status != 200 || !d.IsObject() || !d.HasMember("partitions") || !d["partitions"].IsArray()) {
            err << "gafka-consume: error: "
                << (!r.ok() ? r.error().message() : r->status != 200 ? describe_error(*r) : "malformed answer") << "\n";
            return 1;
        }
        for (const auto& p : d["partitions"].GetArray())
            for (auto& cur : cursors)
                if (cur.id == p["partition"].GetInt()) cur.next = std::to_string(p["offset"].GetInt64());
    }
    if (cursors.empty()) {
        err << "gafka-consume: error: partition " << *opts.partition << " does not exist; '" << opts.topic << "' has "
            << *count << "\n";
        return 1;
    }

    std::int64_t written = 0;
    std::size_t idle_rounds = 0;
    json::consume_answer answer;  // kept across answers, as is `lines`: no allocation per answer
    std::string lines;
    // One partition: the request for the next records goes out before this
    // answer's lines are written, so the broker reads while we write.
    http_connection* ahead = nullptr;  // where a request for `ahead_target` awaits its answer
    std::string ahead_target;
    auto target_for = [&](const partition_cursor& cur) {
        // One partition: long-poll it. Several: sweep without waiting, and
        // wait briefly on one partition only after a sweep found nothing.
        auto wait = cursors.size() == 1 ? opts.timeout
                    : idle_rounds >= cursors.size() ? std::min(opts.timeout, std::chrono::milliseconds(200))
                                                    : std::chrono::milliseconds(0);
        if (opts.exit_at_end) wait = std::chrono::milliseconds(0);
        auto want = opts.fetch_size;
        if (opts.max_messages) want = static_cast<int>(std::min<std::int64_t>(want, *opts.max_messages - written));
        return "/api/v1/consume?topic=" + opts.topic + "&partition=" + std::to_string(cur.id) + "&offset=" + cur.next +
               "&count=" + std::to_string(want) + "&timeout=" + std::to_string(wait.count()) + "ms";
    };
    for (std::size_t turn = 0;; ++turn) {
        auto& cur = cursors[turn % cursors.size()];
        if (cur.done) {
            bool all_done = true;
            for (const auto& x : cursors) all_done = all_done && x.done;
            if (all_done) return 0;
            continue;
        }
        auto target = target_for(cur);
        result<http_reply> r = status(status_code::unavailable, "no request sent ahead");
        if (ahead) {  // its answer is taken whatever it is: the connection serves nothing else before
            auto reply = ahead->receive(co.timeout);
            if (ahead_target == target) r = std::move(reply);
            ahead = nullptr;
        }
        // Anything but a plain answer to the request sent ahead is asked
        // again the usual way, with its leader lookup and retries (a
        // consume changes nothing, so asking twice is harmless).
        if (!r.ok() || r->status != 200) r = c.call_leader(opts.topic, cur.id, "GET", target);
        if (!r.ok()) {
            err << "gafka-consume: error: " << r.error().message() << "\n";
            return 1;
        }
        if (r->status != 200) {
            err << "gafka-consume: error: " << opts.topic << "/" << cur.id << ": " << describe_error(*r) << "\n";
            return 1;
        }
        // The records are copied from the answer as the broker wrote them
        // where they already are what would be written (record_output.h):
        // one pass over the answer, one write to `out` for all of them.
        if (!json::scan_consume_answer(r->body, answer) || !append_lines(lines, answer, opts.values_only)) {
            err << "gafka-consume: error: malformed answer from the broker\n";
            return 1;
        }
        written += static_cast<std::int64_t>(answer.records.size());
        cur.next = std::to_string(answer.next_offset);
        if (!cur.end) cur.end = answer.high_watermark;
        if (opts.exit_at_end && answer.next_offset >= *cur.end) cur.done = true;
        bool last = opts.max_messages && written >= *opts.max_messages;
        idle_rounds = answer.records.empty() ? idle_rounds + 1 : 0;
        if (cursors.size() == 1 && !cur.done && !last) {
            auto conn = c.leader_connection(opts.topic, cur.id);
            ahead_target = target_for(cur);
            if (conn.ok() && (*conn)->outstanding() == 0 &&
                (*conn)->send({"GET", ahead_target, {}, {}}, co.timeout).ok())
                ahead = *conn;
        }
        if (std::fwrite(lines.data(), 1, lines.size(), out) != lines.size() || std::fflush(out) != 0)
            return 0;  // stdout closed: a normal end
        if (last) return 0;
    }
}

}  // namespace gafka::client
