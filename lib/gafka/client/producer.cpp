#include "gafka/client/producer.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <ostream>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "gafka/broker/names.h"
#include "gafka/client/broker_client.h"
#include "gafka/client/partitioner.h"
#include "gafka/json/record_json.h"
#include "gafka/log/batch.h"

namespace gafka::client {
namespace {

using clock_type = std::chrono::steady_clock;

bool transient_refusal(const http_reply& r) {
    if (r.status != 503) return false;
    auto code = error_code(r);
    return code == "storage_error" || code == "not_enough_replicas" || code == "replication_timeout";
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
    void add_line(std::int64_t line_no, std::string_view line) {
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
    clock_type::time_point linger_deadline() const { return first_pending_ + opts_.linger; }

    // Sends what is pending; false on an operational failure (stop).
    bool flush() {
        if (pending_.empty()) return true;
        auto partitions = client_.partition_count(opts_.topic);
        std::optional<std::int32_t> sticky;  // unkeyed records of one batch go together
        if (partitions) sticky = static_cast<std::int32_t>(round_robin_++ % static_cast<std::uint64_t>(*partitions));
        std::map<std::int32_t, std::vector<pending_record*>> groups;  // -1: the broker chooses
        for (auto& p : pending_) {
            std::int32_t part = -1;
            if (opts_.partition) part = *opts_.partition;
            else if (p.parsed.partition) part = *p.parsed.partition;
            else if (partitions && p.parsed.record.key) part = partition_for_key(*p.parsed.record.key, *partitions);
            else if (sticky) part = *sticky;
            groups[part].push_back(&p);
        }
        bool ok = true;
        for (auto& [part, records] : groups) ok = send(part, records) && ok;
        pending_.clear();
        return ok;
    }

    int exit_code() const { return failed_ ? 1 : rejected_ > 0 ? 3 : 0; }

private:
    void reject(std::int64_t line, const std::string& why) {
        ++rejected_;
        err_ << "gafka-produce: line " << line << ": " << why << "\n";
    }

    bool send(std::int32_t part, const std::vector<pending_record*>& records) {
        std::string body = "{\"topic\":\"" + opts_.topic + "\",\"records\":[";
        for (std::size_t i = 0; i < records.size(); ++i) {
            if (i) body += ',';
            const auto& p = records[i]->parsed;
            json::append_produce_record_json(body, p.record, part >= 0 ? std::optional(part) : std::nullopt,
                                             p.has_timestamp);
        }
        body += "]}";
        auto target = "/api/v1/produce?acks=" + opts_.acks;
        bool numbered = opts_.idempotence && part >= 0;
        if (numbered) {
            if (next_sequence_[part] > INT32_MAX - static_cast<std::int32_t>(records.size())) forget_sequences();
            if (producer_id_ < 0 && !init_producer_id()) return false;
            target += "&producer_id=" + std::to_string(producer_id_) + "&sequence=" + std::to_string(next_sequence_[part]);
        }
        auto deliver = [&] {
            return part >= 0 ? client_.call_leader(opts_.topic, part, "POST", target, body, "application/json")
                             : client_.call("POST", target, body, "application/json");
        };
        auto r = deliver();
        // Refusals that may pass (the broker's storage failed until it is
        // restarted, too few in-sync replicas) are retried like a lost
        // connection, as Kafka's producer retries them; with the same
        // sequence, so a batch appended before its answer failed is not
        // appended again.
        for (int attempt = 0; attempt < opts_.retries && r.ok() && transient_refusal(*r); ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 4)));  // up to 1.6 s
            r = deliver();
        }
        if (numbered && !(r.ok() && r->status == 200)) forget_sequences();
        if (!r.ok()) {
            err_ << "gafka-produce: error: " << r.error().message() << "\n";
            failed_ = true;
            return false;
        }
        if (r->status != 200) {
            auto code = error_code(*r);
            auto span = "lines " + std::to_string(records.front()->line) + "-" + std::to_string(records.back()->line);
            if (r->status == 401 || r->status == 404 || r->status >= 500 || code == "invalid_topic") {
                err_ << "gafka-produce: error: " << describe_error(*r) << "\n";
                failed_ = true;
                return false;
            }
            err_ << "gafka-produce: " << span << ": rejected: " << describe_error(*r) << "\n";
            rejected_ += static_cast<std::int64_t>(records.size());
            return true;
        }
        if (numbered) next_sequence_[part] += static_cast<std::int32_t>(records.size());
        if (opts_.print_acks) print_acks(r->body, records);
        return true;
    }

    bool init_producer_id() {
        auto r = client_.call("POST", "/api/v1/producers");
        rapidjson::Document d;
        if (r.ok() && r->status == 200) d.Parse(r->body.data(), r->body.size());
        if (!r.ok() || r->status != 200 || d.HasParseError() || !d.IsObject() || !d.HasMember("producer_id") ||
            !d["producer_id"].IsInt64()) {
            err_ << "gafka-produce: error: no producer id from the broker: "
                 << (r.ok() ? describe_error(*r) : r.error().message()) << "\n";
            failed_ = true;
            return false;
        }
        producer_id_ = d["producer_id"].GetInt64();
        return true;
    }

    // A request that was not acknowledged may or may not have been appended:
    // numbering on from here could make a later batch look like its retry.
    // A new producer id starts afresh (Kafka bumps the producer epoch).
    void forget_sequences() {
        producer_id_ = -1;
        next_sequence_.clear();
    }

    void print_acks(const std::string& body, const std::vector<pending_record*>& records) {
        rapidjson::Document d;
        d.Parse(body.data(), body.size());
        if (d.HasParseError() || !d.HasMember("offsets") || !d["offsets"].IsArray()) return;
        const auto& offs = d["offsets"];
        std::string lines;
        for (rapidjson::SizeType i = 0; i < offs.Size() && i < records.size(); ++i)
            lines += "{\"line\":" + std::to_string(records[i]->line) +
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
    std::int64_t rejected_ = 0;
    bool failed_ = false;
};

}  // namespace

int run_produce(const produce_options& opts, int in_fd, std::ostream& out, std::ostream& err) {
    // The topic goes into URLs and JSON unescaped: only a legal name gets that far.
    if (auto s = broker::check_topic_name(opts.topic); !s.ok()) {
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
        return p.flush() ? p.exit_code() : 1;
    }
    std::string buf;
    std::int64_t line_no = 0;
    char chunk[1 << 16];
    bool eof = false;
    // After a stop request (opts.stop_fd) the input ends like at EOF once what
    // was already written to it is read: what is readable at once, in at most
    // stop_drain_reads reads, so a writer that never pauses cannot hold us.
    constexpr int stop_drain_reads = 64;
    int stopping_reads = -1;  // -1: no stop request
    while (!eof) {
        int wait_ms = -1;
        if (stopping_reads >= 0) wait_ms = 0;
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
            if (!buf.empty()) p.add_line(++line_no, buf);
        } else if (ready > 0) {
            auto n = ::read(in_fd, chunk, sizeof chunk);
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                err << "gafka-produce: error: read: " << std::strerror(errno) << "\n";
                return 1;
            }
            if (n == 0) eof = true;
            if (n > 0) buf.append(chunk, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (auto nl = buf.find('\n', start); nl != std::string::npos; nl = buf.find('\n', start)) {
                p.add_line(++line_no, std::string_view(buf).substr(start, nl - start));
                start = nl + 1;
                if (p.batch_full() && !p.flush()) return 1;
            }
            buf.erase(0, start);
            if (eof && !buf.empty()) p.add_line(++line_no, buf);
        }
        if (p.has_pending() && (eof || p.batch_full() || clock_type::now() >= p.linger_deadline()))
            if (!p.flush()) return 1;
    }
    return p.exit_code();
}

}  // namespace gafka::client
