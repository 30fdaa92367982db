// gafka-consume --group: see run_group_consume in consumer.h.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <ostream>

#include <rapidjson/document.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/consumer.h"
#include "gafka/client/exec_delivery.h"
#include "gafka/client/record_output.h"
#include "gafka/rules/names.h"
#include "gafka/util/clock.h"

namespace gafka::client {
namespace {

constexpr std::chrono::milliseconds heartbeat_every{3000};
// How often --exit-at-end asks again while a partition is being handed over.
constexpr std::chrono::milliseconds hand_over_poll{100};
// The first wait after a transient refusal (503), doubling.
constexpr std::chrono::milliseconds refusal_wait{100};

bool fenced(const http_reply& r) { return r.status == 409 && error_code(r) == "fenced_member"; }

}  // namespace

int run_group_consume(const consume_options& opts, std::FILE* out, std::ostream& err, const volatile int& stop) {
    // The topic goes into URLs and JSON unescaped: only a legal name gets that far.
    if (auto s = rules::check_topic_name(opts.topic); !s.ok()) {
        err << "gafka-consume: error: " << s.message() << "\n";
        return 2;
    }
    if (auto s = rules::check_group_id(*opts.group); !s.ok()) {
        err << "gafka-consume: error: " << s.message() << "\n";
        return 2;
    }
    if (auto s = rules::check_consumer_id(opts.consumer_id); !s.ok()) {
        err << "gafka-consume: error: " << s.message() << "\n";
        return 2;
    }
    if (opts.dead_letter)
        if (auto s = rules::check_topic_name(*opts.dead_letter); !s.ok()) {
            err << "gafka-consume: error: --dead-letter: " << s.message() << "\n";
            return 2;
        }

    client_options co;
    co.timeout = heartbeat_every + std::chrono::seconds(10);
    co.retries = opts.retries;
    auto client = broker_client::connect(opts.brokers, co);
    if (!client.ok()) {
        err << "gafka-consume: error: " << client.error().message() << "\n";
        return 2;
    }
    auto& c = **client;
    const auto& group = *opts.group;
    auto base = "/api/v1/consumer-groups/" + group;
    std::map<std::int32_t, std::int64_t> written;  // partition -> next offset written to `out`
    std::int32_t generation = -1;

    // This process's session: a batch the broker handed to an earlier
    // process with the same member id (killed before it wrote it) is then
    // delivered again instead of committed on our first fetch, and that
    // earlier process, if it still runs, is fenced.
    std::random_device rd;
    auto session_param = "session_id=" + std::to_string(getpid()) + "-" + std::to_string(rd()) + std::to_string(rd());
    auto member = base + "/members/" + opts.consumer_id;
    auto fenced_exit = [&] {
        err << "gafka-consume: error: fenced: another process joined group '" << group << "' with --consumer-id "
            << opts.consumer_id << " and took over; this one stops\n";
        return 1;
    };

    // Commits what was written (only partitions still ours) and leaves.
    auto leave = [&](int code) {
        if (!written.empty()) {
            std::string body = "{\"consumer_id\":\"" + opts.consumer_id + "\",\"offsets\":[";
            bool first = true;
            for (auto [p, next] : written) {
                body += std::string(first ? "" : ",") + "{\"topic\":\"" + opts.topic + "\",\"partition\":" +
                        std::to_string(p) + ",\"offset\":" + std::to_string(next) + "}";
                first = false;
            }
            body += "]}";
            auto r = c.call_coordinator("POST", base + "/offsets?" + session_param, body, "application/json");
            if (r.ok() && fenced(*r)) return fenced_exit();
            if (!r.ok() || r->status != 200)
                err << "gafka-consume: warning: final commit failed ("
                    << (r.ok() ? describe_error(*r) : r.error().message())
                    << "); those records will be delivered again\n";
        }
        (void)c.call_coordinator("DELETE", member + "?" + session_param);
        return code;
    };

    std::optional<exec_delivery_options> exec;
    if (opts.exec) exec = exec_delivery_options{*opts.exec, opts.max_attempts, opts.dead_letter,
                                                std::chrono::milliseconds(1000), opts.values_only, group};
    // Keeps the member alive while a slow --exec command runs, and notices
    // a take-over so that no more records of the batch are run.
    bool taken_over = false;
    auto heartbeat = [&] {
        auto r = c.call_coordinator("POST", member + "/heartbeat?" + session_param);
        taken_over = taken_over || (r.ok() && fenced(*r));
    };

    std::int64_t total = 0;
    int refusals = 0;  // transient refusals in a row, since refusing_since
    std::int64_t refusing_since = 0;
    std::optional<std::chrono::steady_clock::time_point> handing_since;  // --exit-at-end waiting on a hand-over
    while (!stop) {
        auto wait = opts.exit_at_end ? std::chrono::milliseconds(0) : std::min(opts.timeout, heartbeat_every);
        auto want = opts.fetch_size;
        if (opts.max_messages) want = static_cast<int>(std::min<std::int64_t>(want, *opts.max_messages - total));
        auto r = c.call_coordinator("GET", "/api/v1/consume?topic=" + opts.topic + "&group_id=" + group +
                                               "&consumer_id=" + opts.consumer_id + "&count=" + std::to_string(want) +
                                               "&timeout=" + std::to_string(wait.count()) + "ms" + "&" +
                                               session_param + (opts.assignor ? "&assignor=" + *opts.assignor : ""));
        if (!r.ok()) {
            err << "gafka-consume: error: " << r.error().message() << "\n";
            return 1;
        }
        if (fenced(*r)) return fenced_exit();
        if (transient_refusal(*r)) {
            // The implicit commit of the previous batch could not be made
            // durable yet (the offsets partition's ISR is short during a
            // failover): nothing was delivered; ask again.
            if (refusals == 0) refusing_since = util::steady_clock_ms();
            if (c.may_retry(refusals, refusing_since)) {
                std::this_thread::sleep_for(std::min(refusal_wait * (1 << std::min(refusals++, 4)), heartbeat_every));
                continue;
            }
        }
        refusals = 0;
        if (r->status != 200) {
            err << "gafka-consume: error: " << describe_error(*r) << "\n";
            return leave(1);
        }
        rapidjson::Document d;
        d.Parse(r->body.data(), r->body.size());
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("records") || !d["records"].IsArray()) {
            err << "gafka-consume: error: malformed answer from the broker\n";
            return leave(1);
        }
        if (d["generation"].GetInt() != generation) {
            // A rebalance: what we wrote for partitions we lost was committed
            // by the broker when we fetched; forget them.
            generation = d["generation"].GetInt();
            std::map<std::int32_t, std::int64_t> kept;
            for (const auto& a : d["assignment"].GetArray())
                if (auto it = written.find(a["partition"].GetInt()); it != written.end()) kept.insert(*it);
            written = std::move(kept);
        }
        const auto& recs = d["records"];
        std::set<std::int32_t> noted;  // partitions of this answer with records written already
        for (const auto& rec : recs.GetArray()) {
            auto p = rec["partition"].GetInt();
            if (auto it = written.find(p); it != written.end() && rec["offset"].GetInt64() < it->second) {
                // Written already: the group's coordinator changed and its
                // committed offset lacks our last implicit commit, which the
                // old one had not replicated yet (docs/cluster.md). Still
                // ours (same generation or kept), so not written twice.
                if (noted.insert(p).second)
                    err << "gafka-consume: note: " << opts.topic << "/" << p << " delivered again from offset "
                        << rec["offset"].GetInt64() << ", behind the " << it->second
                        << " already written (the group's coordinator changed); not written twice\n";
                continue;
            }
            if (exec) {
                if (!deliver_by_exec(*exec, rec, c, err, heartbeat)) return leave(1);
                if (taken_over) return fenced_exit();
            } else {
                auto line = format_record_line(rec, opts.values_only);
                if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fflush(out) != 0)
                    return leave(0);  // stdout closed: a normal end; this record is not committed
            }
            written[p] = rec["offset"].GetInt64() + 1;
            ++total;
            if (opts.max_messages && total >= *opts.max_messages) return leave(0);
        }
        if (opts.exit_at_end && recs.Empty()) {
            // At the end only once no partition of ours waits for its
            // previous owner to hand it over; that wait is bounded by --timeout.
            auto pending = d.FindMember("pending");
            if (pending == d.MemberEnd() || !pending->value.IsArray() || pending->value.Empty()) return leave(0);
            auto now = std::chrono::steady_clock::now();
            if (!handing_since) handing_since = now;
            if (now - *handing_since >= opts.timeout) {
                err << "gafka-consume: error: --exit-at-end: " << opts.topic << "/"
                    << pending->value[0]["partition"].GetInt() << " is still being handed over by its previous owner"
                    << " after " << opts.timeout.count() << " ms (--timeout); its records were not read\n";
                return leave(1);
            }
            std::this_thread::sleep_for(hand_over_poll);
        }
    }
    return leave(0);
}

}  // namespace gafka::client
