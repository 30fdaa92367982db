#include "gafka/client/producer.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <span>
#include <ostream>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/client/broker_client.h"
#include "gafka/client/line_reader.h"
#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"
#include "gafka/rules/names.h"
#include "gafka/rules/partitioner.h"
#include "gafka/util/clock.h"

namespace gafka::client {
namespace {

using clock_type = std::chrono::steady_clock;

// The longest input line kept: no longer line can become a record the
// broker takes. A plain line's key and value are its bytes less the key
// separator; a JSON line decodes to at most its own bytes but may spend up
// to six on one (\u00XX), plus some on field names and spacing.
std::size_t max_line_bytes(const produce_options& opts) {
    if (opts.json) return 6 * log::max_record_bytes + (64u << 10);
    return log::max_record_bytes + (opts.key_separator ? opts.key_separator->size() : 0);
}

struct pending_record {
    std::int64_t line = 0;
    json::parsed_record parsed;
};

class producer {
public:
    producer(const produce_options& opts, broker_client& client, std::ostream& out, std::ostream& err)
        : opts_(opts), client_(client), out_(out), err_(err) {}

    // Turns one input line into a pending record, or reports why not.
    void add_line(const input_line& in) {
        auto line_no = in.number;
        auto line = in.text;
        if (in.too_long)
            return reject(line_no, "line is " + std::to_string(in.length) + " bytes; a record may be at most " +
                                       std::to_string(log::max_record_bytes) + " bytes");
        pending_record p;
        p.line = line_no;
        if (opts_.json) {
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
            if (auto e = json::parse_record_line(line, p.parsed)) return reject(line_no, e->message);
        } else if (opts_.key_separator && !opts_.key_separator->empty()) {
            auto at = line.find(*opts_.key_separator);
            if (at == std::string_view::npos) p.parsed.record.value = std::string(line);
            else {
                p.parsed.record.key = std::string(line.substr(0, at));
                p.parsed.record.value = std::string(line.substr(at + opts_.key_separator->size()));
            }
        } else {
            p.parsed.record.value = std::string(line);
        }
        add(std::move(p));
    }

    void add(pending_record p) {
        const auto& r = p.parsed.record;
        auto line_no = p.line;
        auto size = log::encoded_record_size(r.key, r.value, r.headers);
        if (size > log::max_record_bytes)
            return reject(line_no, "record is " + std::to_string(size) + " bytes; the limit is " +
                                       std::to_string(log::max_record_bytes));
        if (pending_.empty()) first_pending_ = clock_type::now();
        pending_.push_back(std::move(p));
    }

    bool batch_full() const { return static_cast<int>(pending_.size()) >= opts_.batch_size; }
    bool has_pending() const { return !pending_.empty(); }
    bool has_in_flight() const { return !in_flight_.empty(); }
    clock_type::time_point linger_deadline() const { return first_pending_ + opts_.linger; }

    // Sends what is pending, in batches of --batch-size per partition, and
    // with `wait` also waits for every answer due; false on an operational
    // failure (stop).
    bool flush(bool wait) {
        if (pending_.empty()) return !wait || drain();
        auto partitions = client_.partition_count(opts_.topic);
        // Unkeyed records go together, a batch at a time, to one partition
        // after another (sticky, as Kafka's producer); -1: the broker chooses.
        std::optional<std::int32_t> sticky;
        std::int64_t unkeyed = 0;
        std::map<std::int32_t, std::vector<pending_record*>> groups;
        for (auto& p : pending_) {
            std::int32_t part = -1;
            if (opts_.partition) part = *opts_.partition;
            else if (p.parsed.partition) part = *p.parsed.partition;
            else if (partitions && p.parsed.record.key) part = rules::partition_for_key(*p.parsed.record.key, *partitions);
            else if (partitions) {
                if (unkeyed++ % opts_.batch_size == 0)
                    sticky = static_cast<std::int32_t>(round_robin_++ % static_cast<std::uint64_t>(*partitions));
                part = *sticky;
            }
            groups[part].push_back(&p);
        }
        bool ok = true;
        for (auto& [part, records] : groups) {
            std::vector<outgoing_batch> batches;
            for (std::size_t i = 0; i < records.size(); i += static_cast<std::size_t>(opts_.batch_size)) {
                auto& b = batches.emplace_back();
                b.part = part;
                auto last = std::min(records.size(), i + static_cast<std::size_t>(opts_.batch_size));
                std::span<pending_record* const> these(records.data() + i, last - i);
                for (const auto* r : these) b.lines.push_back(r->line);
                b.body = body_of(part, these);
            }
            for (auto& b : batches) ok = ok && send(std::move(b));
        }
        pending_.clear();
        return ok && (!wait || drain());
    }

    // Reads every answer due (pipelined requests in flight).
    bool drain() {
        while (!in_flight_.empty())
            if (!receive_oldest()) return false;
        return true;
    }

    int exit_code() const { return failed_ ? 1 : rejected_ > 0 ? 3 : 0; }

private:
    // One request: records for one partition (or for the broker to place).
    struct outgoing_batch {
        std::int32_t part = -1;
        std::vector<std::int64_t> lines;  // the input line of each record (pending_ is gone once it is sent)
        std::string body;
        std::int64_t producer_id = -1;  // numbered (producer_id, sequence) when >= 0
        std::int32_t sequence = -1;
    };
    struct in_flight_batch {
        outgoing_batch batch;
        http_connection* conn;  // pipelined on this connection
    };

    void reject(std::int64_t line, const std::string& why) {
        ++rejected_;
        err_ << "gafka-produce: line " << line << ": " << why << "\n";
    }

    // The broker refused a whole batch: it appends all of a request or
    // nothing. Its message names the record at fault by its place in the
    // batch ("record 2: ..."); that becomes the input line, and every line
    // is reported on its own ("line N: ...") so a script can pick them out.
    void report_refused(const outgoing_batch& b, const std::string& message) {
        auto [index, reason] = split_record_index(message);
        std::optional<std::int64_t> culprit;
        if (index && *index < b.lines.size()) culprit = b.lines[*index];
        for (auto line : b.lines) {
            if (!culprit || line == *culprit) reject(line, "rejected: " + (culprit ? reason : message));
            else reject(line, "not sent: the broker refused its batch for line " + std::to_string(*culprit));
        }
    }

    // "record 2: reason" -> {2, "reason"}; no index when the message names no record.
    static std::pair<std::optional<std::size_t>, std::string> split_record_index(const std::string& message) {
        constexpr std::string_view prefix = "record ";
        if (!message.starts_with(prefix)) return {std::nullopt, message};
        std::size_t index = 0;
        const char* digits = message.data() + prefix.size();
        auto [end, ec] = std::from_chars(digits, message.data() + message.size(), index);
        if (ec != std::errc() || end == digits || std::string_view(end).substr(0, 2) != ": ")
            return {std::nullopt, message};
        return {index, std::string(end + 2)};
    }

    std::string body_of(std::int32_t part, std::span<pending_record* const> records) const {
        std::string body = "{\"topic\":\"" + opts_.topic + "\",\"records\":[";
        for (std::size_t i = 0; i < records.size(); ++i) {
            if (i) body += ',';
            const auto& p = records[i]->parsed;
            json::append_produce_record_json(body, p.record, part >= 0 ? std::optional(part) : std::nullopt,
                                             p.has_timestamp);
        }
        body += "]}";
        return body;
    }

    bool idempotent(const outgoing_batch& b) const { return opts_.idempotence && b.part >= 0; }

    // Sends a batch. An idempotent producer keeps up to --max-in-flight
    // requests in flight on each leader's connection (HTTP pipelining: the
    // broker appends them in order and one fsync can cover several), and
    // reads their answers as room is needed. Otherwise, and for the first
    // batch of a producer id to a partition (so the partition knows the
    // producer and refuses any gap after it), one request at a time with
    // nothing in flight: retries then keep the order.
    bool send(outgoing_batch b) {
        http_connection* conn = nullptr;
        auto n = static_cast<std::int32_t>(b.lines.size());
        if (opts_.max_in_flight > 1 && idempotent(b) && known_.contains(b.part) &&
            next_sequence_[b.part] <= INT32_MAX - n)
            if (auto c = client_.leader_connection(opts_.topic, b.part); c.ok()) conn = *c;
        if (!conn) return drain() && settle(b, deliver(b));
        while (conn->outstanding() >= static_cast<std::size_t>(opts_.max_in_flight))
            if (!receive_oldest()) return false;
        if (!known_.contains(b.part)) return drain() && settle(b, deliver(b));  // an answer made us forget it
        if (auto s = number(b); !s.ok()) return fail(s.message());
        (void)conn->send({"POST", target_of(b), b.body, "application/json"}, opts_.timeout);  // a failure shows in receive()
        in_flight_.push_back({std::move(b), conn});
        return true;
    }

    // Reads the answer to the oldest request in flight and acts on it. On
    // anything but a 200 it first reads every other answer due, so that
    // retries may use the connections, then settles them in order. Sent
    // again: those the broker may not have got, or did not take (not its
    // leader any more), and those refused for a gap because one before them
    // failed; numbered as they were (unless the producer id changed since),
    // so none is appended twice.
    bool receive_oldest() {
        auto oldest = std::move(in_flight_.front());
        in_flight_.pop_front();
        auto r = oldest.conn->receive(opts_.timeout);
        if (r.ok() && r->status == 200) return settle(oldest.batch, std::move(r));
        std::vector<std::pair<outgoing_batch, result<http_reply>>> due;
        due.emplace_back(std::move(oldest.batch), std::move(r));
        for (; !in_flight_.empty(); in_flight_.pop_front())
            due.emplace_back(std::move(in_flight_.front().batch), in_flight_.front().conn->receive(opts_.timeout));
        std::set<std::int32_t> failed;  // partitions with a batch not acknowledged at first
        for (auto& [b, reply] : due) {
            bool again = !reply.ok() || reply->status == 421 || (reply->status == 409 && failed.contains(b.part));
            if (!reply.ok() || reply->status != 200) failed.insert(b.part);
            if (!settle(b, again ? deliver(b) : std::move(reply))) return false;
        }
        return true;
    }

    // Gives an idempotent producer's batch its producer id and first
    // sequence number, unless the current producer id numbered it already.
    status number(outgoing_batch& b) {
        if (!idempotent(b) || (b.producer_id >= 0 && b.producer_id == producer_id_)) return {};
        auto n = static_cast<std::int32_t>(b.lines.size());
        if (next_sequence_[b.part] > INT32_MAX - n) forget_sequences();
        if (producer_id_ < 0)
            if (auto s = init_producer_id(); !s.ok()) return s;
        b.producer_id = producer_id_;
        b.sequence = next_sequence_[b.part];
        next_sequence_[b.part] += n;
        return {};
    }

    std::string target_of(const outgoing_batch& b) const {
        auto target = "/api/v1/produce?acks=" + opts_.acks;
        if (b.producer_id >= 0)
            target += "&producer_id=" + std::to_string(b.producer_id) + "&sequence=" + std::to_string(b.sequence);
        return target;
    }

    result<http_reply> deliver(outgoing_batch& b) {
        if (auto s = number(b); !s.ok()) return s;
        auto target = target_of(b);
        return b.part >= 0 ? client_.call_leader(opts_.topic, b.part, "POST", target, b.body, "application/json")
                           : client_.call("POST", target, b.body, "application/json");
    }

    // Acts on a batch's answer: acks it, retries a refusal that may pass,
    // reports rejected lines; false on an operational failure (stop).
    bool settle(outgoing_batch& b, result<http_reply> r) {
        // Refusals that may pass (the broker's storage failed until it is
        // restarted, too few in-sync replicas) are retried like a lost
        // connection, as Kafka's producer retries them; with the same
        // sequence, so a batch appended before its answer failed is not
        // appended again.
        const auto started = util::steady_clock_ms();
        for (int attempt = 0; client_.may_retry(attempt, started) && r.ok() && transient_refusal(*r); ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 4)));  // up to 1.6 s
            r = deliver(b);
        }
        bool numbered = b.producer_id >= 0;
        if (numbered && !(r.ok() && r->status == 200)) forget_sequences();
        if (!r.ok()) return fail(r.error().message());
        if (r->status != 200) {
            auto code = error_code(*r);
            if (r->status == 401 || r->status == 404 || r->status >= 500 || code == "invalid_topic")
                return fail(describe_error(*r));
            report_refused(b, describe_error(*r));
            return true;
        }
        if (numbered) known_.insert(b.part);
        if (opts_.print_acks) print_acks(r->body, b.lines);
        return true;
    }

    bool fail(const std::string& why) {
        err_ << "gafka-produce: error: " << why << "\n";
        failed_ = true;
        return false;
    }

    status init_producer_id() {
        auto r = client_.call("POST", "/api/v1/producers");
        rapidjson::Document d;
        if (r.ok() && r->status == 200) d.Parse(r->body.data(), r->body.size());
        if (!r.ok() || r->status != 200 || d.HasParseError() || !d.IsObject() || !d.HasMember("producer_id") ||
            !d["producer_id"].IsInt64())
            return status(status_code::unavailable, "no producer id from the broker: " +
                                                        (r.ok() ? describe_error(*r) : r.error().message()));
        producer_id_ = d["producer_id"].GetInt64();
        return {};
    }

    // A request that was not acknowledged may or may not have been appended:
    // numbering on from here could make a later batch look like its retry.
    // A new producer id starts afresh (Kafka bumps the producer epoch).
    void forget_sequences() {
        producer_id_ = -1;
        next_sequence_.clear();
        known_.clear();
    }

    void print_acks(const std::string& body, const std::vector<std::int64_t>& line_nos) {
        rapidjson::Document d;
        d.Parse(body.data(), body.size());
        if (d.HasParseError() || !d.HasMember("offsets") || !d["offsets"].IsArray()) return;
        const auto& offs = d["offsets"];
        std::string lines;
        for (rapidjson::SizeType i = 0; i < offs.Size() && i < line_nos.size(); ++i)
            lines += "{\"line\":" + std::to_string(line_nos[i]) +
                     ",\"partition\":" + std::to_string(offs[i]["partition"].GetInt()) +
                     ",\"offset\":" + std::to_string(offs[i]["offset"].GetInt64()) + "}\n";
        out_ << lines << std::flush;
    }

    const produce_options& opts_;
    broker_client& client_;
    std::ostream& out_;
    std::ostream& err_;
    std::vector<pending_record> pending_;
    clock_type::time_point first_pending_;
    std::uint64_t round_robin_ = 0;
    std::int64_t producer_id_ = -1;                   // -1: none asked for yet
    std::map<std::int32_t, std::int32_t> next_sequence_;  // per partition
    std::set<std::int32_t> known_;  // partitions that acked a batch of producer_id_
    std::deque<in_flight_batch> in_flight_;  // sent, answer due; in the order sent
    std::int64_t rejected_ = 0;
    bool failed_ = false;
};

}  // namespace

int run_produce(const produce_options& opts, int in_fd, std::ostream& out, std::ostream& err) {
    // The topic goes into URLs and JSON unescaped: only a legal name gets that far.
    if (auto s = rules::check_topic_name(opts.topic); !s.ok()) {
        err << "gafka-produce: error: " << s.message() << "\n";
        return 2;
    }

    client_options co;
    co.timeout = opts.timeout;
    co.retries = opts.retries;
    auto client = broker_client::connect(opts.brokers, co);
    if (!client.ok()) {
        err << "gafka-produce: error: " << client.error().message() << "\n";
        return 2;
    }
    producer p(opts, **client, out, err);
    if (opts.message) {
        pending_record one;
        one.line = 1;
        one.parsed.record.key = opts.key;
        one.parsed.record.value = *opts.message;
        p.add(std::move(one));
        return p.flush(true) ? p.exit_code() : 1;
    }
    line_reader lines(max_line_bytes(opts));
    // Each line becomes a pending record; a full batch goes at once.
    auto on_line = [&](const input_line& l) {
        p.add_line(l);
        return !p.batch_full() || p.flush(false);
    };
    char chunk[1 << 16];
    bool eof = false;
    // After a stop request (opts.stop_fd) the input ends like at EOF once what
    // was already written to it is read: what is readable at once, in at most
    // stop_drain_reads reads, so a writer that never pauses cannot hold us.
    constexpr int stop_drain_reads = 64;
    int stopping_reads = -1;  // -1: no stop request
    while (!eof) {
        int wait_ms = -1;
        // Answers due and nothing to send: a look at the input, then (when it
        // is idle) a wait for the answers rather than for more input.
        if (stopping_reads >= 0 || (!p.has_pending() && p.has_in_flight())) wait_ms = 0;
        else if (p.has_pending()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(p.linger_deadline() - clock_type::now());
            wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
        }
        pollfd pfd[2] = {{in_fd, POLLIN, 0}, {opts.stop_fd, POLLIN, 0}};
        int ready = ::poll(pfd, opts.stop_fd >= 0 && stopping_reads < 0 ? 2 : 1, wait_ms);
        if (ready < 0 && errno != EINTR) {
            err << "gafka-produce: error: poll: " << std::strerror(errno) << "\n";
            return 1;
        }
        if (ready > 0 && pfd[1].revents != 0) {
            stopping_reads = 0;
            continue;
        }
        if (stopping_reads >= 0 && (ready == 0 || stopping_reads++ == stop_drain_reads)) {
            eof = true;  // nothing more was waiting: the end, as at EOF
            if (!lines.finish(on_line)) return 1;
        } else if (ready > 0) {
            auto n = ::read(in_fd, chunk, sizeof chunk);
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                err << "gafka-produce: error: read: " << std::strerror(errno) << "\n";
                return 1;
            }
            if (n == 0) eof = true;
            if (n > 0 && !lines.feed(std::string_view(chunk, static_cast<std::size_t>(n)), on_line)) return 1;
            if (eof && !lines.finish(on_line)) return 1;
        } else if (ready == 0 && !p.has_pending() && !p.drain()) {
            return 1;
        }
        // A full batch goes at once; at the end or the linger, with its answers.
        if (p.has_pending() && (eof || p.batch_full() || clock_type::now() >= p.linger_deadline()))
            if (!p.flush(!p.batch_full())) return 1;
    }
    return p.drain() ? p.exit_code() : 1;
}

}  // namespace gafka::client
