#include "gafka/tools/walcheck.h"

#include <fcntl.h>

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/broker/topic_manager.h"
#include "gafka/json/record_json.h"
#include "gafka/log/batch_v1.h"
#include "gafka/log/decoded_batch.h"
#include "gafka/log/segment.h"
#include "gafka/log/segment_scanner.h"
#include "gafka/rules/names.h"
#include "gafka/util/clock.h"
#include "gafka/util/file.h"

namespace gafka::tools {
namespace fs = std::filesystem;
namespace {

using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

// Topic and partition from .../topics/<topic>/<partition>/<file>.log.
json::record_origin origin_of(const fs::path& file) {
    json::record_origin o;
    auto pdir = file.parent_path();
    auto pname = pdir.filename().string();
    if (!pname.empty() && pname.size() < 10 && std::all_of(pname.begin(), pname.end(), ::isdigit)) {
        auto tdir = pdir.parent_path();
        if (tdir.parent_path().filename() == "topics") {
            o.partition = std::stoi(pname);
            o.topic = tdir.filename().string();
        }
    }
    return o;
}

struct segment_check {
    log::scan_summary scan;
    bool last_in_partition = true;
};

// Saves the damaged tail beside the segment, cuts it off and drops the index.
bool repair(const fs::path& file, const util::file& f, const log::scan_summary& scan, writer_t& w,
            std::ostream& err) {
    auto cut = scan.file_size - scan.valid_end;
    auto saved = file;
    saved += ".cut-" + std::to_string(scan.valid_end);
    // Never replace what an earlier repair saved at the same position.
    for (int n = 1; fs::exists(saved); ++n) {
        saved = file;
        saved += ".cut-" + std::to_string(scan.valid_end) + "." + std::to_string(n);
    }
    std::string bytes(cut, '\0');
    auto n = f.pread(bytes.data(), bytes.size(), scan.valid_end);
    status s = n.ok() ? status{} : n.error();
    if (s.ok()) s = util::atomic_write_file(saved, std::string_view(bytes.data(), *n));
    if (s.ok()) s = f.truncate(scan.valid_end);
    if (s.ok()) s = f.sync();
    if (s.ok()) {
        auto idx = file;
        idx.replace_extension(log::index_suffix);
        std::error_code ec;
        fs::remove(idx, ec);
    }
    if (!s.ok()) {
        err << "gafka-walcheck: error: repair of " << file.string() << " failed: " << s.message() << "\n";
        return false;
    }
    err << "gafka-walcheck: repaired " << file.string() << ": cut " << cut << " bytes at position "
        << scan.valid_end << " (offsets from " << scan.next_offset << "), saved to " << saved.string() << "\n";
    w.Key("repaired");
    w.StartObject();
    w.Key("cut_bytes");
    w.Uint64(cut);
    w.Key("saved_to");
    w.String(saved.c_str());
    w.EndObject();
    return true;
}

class checker {
public:
    checker(const walcheck_options& opts, std::ostream& out, std::ostream& err) : opts_(opts), out_(out), err_(err) {}

    void check_path(const fs::path& path) {
        for (const auto& t : totals_)
            if (t.path == path.string()) return;  // given twice: checked once
        current_ = &totals_.emplace_back();
        current_->path = path.string();
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) return unreadable(path, "cannot access: " + (ec ? ec.message() : "no such file"));
        if (fs::is_regular_file(st)) {
            if (path.extension() != log::log_suffix) return unreadable(path, "not a segment file (*.log)");
            check_segment(path, true);
            return;
        }
        if (!fs::is_directory(st)) return unreadable(path, "not a file or directory");
        std::map<fs::path, std::vector<std::pair<log::offset_t, fs::path>>> partitions;
        bool gafka_dir = fs::exists(path / "topics") || fs::exists(path / "meta.json");
        for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (!it->is_regular_file()) continue;
            auto name = it->path().filename().string();
            if (auto base = log::parse_segment_file_name(name, log::log_suffix))
                partitions[it->path().parent_path()].emplace_back(*base, it->path());
        }
        if (ec) return unreadable(path, "cannot read directory: " + ec.message());
        if (partitions.empty() && !gafka_dir) return unreadable(path, "no segments and not a gafka data dir");
        if (gafka_dir) check_topic_metadata(path / "topics");
        for (auto& [_, segs] : partitions) {
            std::sort(segs.begin(), segs.end());
            std::optional<log::offset_t> previous_end;
            bool previous_repaired = false;
            for (std::size_t i = 0; i < segs.size(); ++i) {
                auto gap = continuity(previous_end, previous_repaired, segs[i].first);
                auto end = check_segment(segs[i].second, i + 1 == segs.size(), gap);
                previous_end = end;
                previous_repaired = has_cut_file(segs[i].second);
            }
        }
    }

    const std::vector<walcheck_totals>& totals() const { return totals_; }

    int exit_code() const {
        if (damaged_) return walcheck_damaged;
        if (unreadable_) return walcheck_unreadable;
        return walcheck_clean;
    }

private:
    void unreadable(const fs::path& path, const std::string& why) {
        unreadable_ = true;
        current_->unreadable.push_back(path.string() + ": " + why);
        err_ << "gafka-walcheck: " << path.string() << ": " << why << "\n";
    }

    // Each topic's topic.json must read as the broker reads it, or the
    // broker serves the topic as damaged (topic_manager.h). Reported as a
    // JSON line with status "corrupt_metadata"; for the summaries it is a
    // file that could not be read. A directory without topic.json is a
    // topic whose creation never finished: the broker skips it too.
    void check_topic_metadata(const fs::path& topics) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(topics, ec)) {
            auto name = entry.path().filename().string();
            auto file = entry.path() / "topic.json";
            if (!entry.is_directory() || name.starts_with(rules::deleted_topic_prefix) || !fs::exists(file)) continue;
            auto config = broker::read_topic_config_file(file);
            if (config.ok()) continue;
            damaged_ = true;
            unreadable(file, config.error().message());
            if (opts_.dump || opts_.quiet || opts_.format != walcheck_format::json) continue;
            rapidjson::StringBuffer buf;
            writer_t w(buf);
            w.StartObject();
            w.Key("file");
            w.String(file.c_str());
            w.Key("topic");
            w.String(name.c_str());
            w.Key("status");
            w.String("corrupt_metadata");
            w.Key("problem");
            w.StartObject();
            w.Key("reason");
            w.String(config.error().message().c_str());
            w.EndObject();
            w.EndObject();
            out_ << buf.GetString() << "\n";
        }
    }

    // Offsets missing between two segments, or segments that overlap. A gap
    // left by --repair (a .cut file beside the segment before it) is noted
    // but is not damage; any other gap is: a segment file went missing.
    struct offset_gap {
        log::offset_t from = 0, to = 0;  // missing [from, to); to < from: overlap
        bool explained = false;
    };

    static std::optional<offset_gap> continuity(std::optional<log::offset_t> previous_end, bool previous_repaired,
                                                log::offset_t base) {
        if (!previous_end || *previous_end == base) return std::nullopt;
        return offset_gap{*previous_end, base, previous_repaired && base > *previous_end};
    }

    static bool has_cut_file(const fs::path& segment) {
        auto prefix = segment.filename().string() + ".cut-";
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(segment.parent_path(), ec))
            if (e.path().filename().string().starts_with(prefix)) return true;
        return false;
    }

    // Checks one segment; returns its next offset (one past its last record),
    // or nothing when it is damaged or unreadable.
    std::optional<log::offset_t> check_segment(const fs::path& file, bool last_in_partition,
                                               std::optional<offset_gap> gap = std::nullopt) {
        auto f = util::file::open(file, opts_.repair ? O_RDWR : O_RDONLY);
        if (!f.ok()) {
            unreadable(file, f.error().message());
            return std::nullopt;
        }
        auto base = log::parse_segment_file_name(file.filename().string(), log::log_suffix);
        auto origin = origin_of(file);
        std::string lines;
        auto format = log::detect_format(*f);
        if (!format.ok()) {
            unreadable(file, format.error().message());
            return std::nullopt;
        }
        auto dump = [&](auto&& records) {
            log::record_view r;
            while (records.next(r)) {
                json::append_record_json(lines, origin, r);
                lines += '\n';
            }
            out_ << lines;
            lines.clear();
        };
        auto scan = log::scan_segment(
            *f, 0, base.value_or(log::no_offset),
            [&](std::uint64_t, std::string_view batch) {
                if (!opts_.dump || opts_.quiet) return true;
                if (*format == &log::format_v1) dump(log::v1::batch_records(batch));
                else dump(log::decoded_batch(batch));
                return true;
            },
            **format);
        if (!scan.ok()) {
            unreadable(file, scan.error().message());
            return std::nullopt;
        }
        const auto& s = *scan;
        const char* state = "ok";
        std::string detail;
        if (gap && !gap->explained) {
            damaged_ = true;
            state = gap->to > gap->from ? "gap" : "overlap";
            detail = "the segment before it ends at offset " + std::to_string(gap->from) + ", this one starts at " +
                     std::to_string(gap->to);
            err_ << "gafka-walcheck: " << file.string() << ": " << state << ": " << detail << "\n";
        }
        if (s.problem) {
            damaged_ = true;
            state = last_in_partition && !s.problem->valid_data_follows ? "torn_tail" : "corrupt";
            detail = std::string(log::to_string(s.problem->reason)) + " at position " +
                     std::to_string(s.problem->position);
        }
        ++current_->segments;
        current_->records += s.records;
        current_->bytes += s.file_size;
        if (!detail.empty()) {
            ++current_->damaged_segments;
            current_->damage.push_back({file.string(), state, detail});
        }
        rapidjson::StringBuffer buf;
        writer_t w(buf);
        w.StartObject();
        w.Key("file");
        w.String(file.c_str());
        w.Key("topic");
        origin.topic ? w.String(origin.topic->c_str()) : w.Null();
        w.Key("partition");
        origin.partition ? w.Int(*origin.partition) : w.Null();
        w.Key("base_offset");
        base ? w.Int64(*base) : w.Null();
        w.Key("first_offset");
        s.first_offset != log::no_offset ? w.Int64(s.first_offset) : w.Null();
        w.Key("last_offset");
        s.batches > 0 ? w.Int64(s.next_offset - 1) : w.Null();
        w.Key("batches");
        w.Int64(s.batches);
        w.Key("records");
        w.Int64(s.records);
        w.Key("bytes");
        w.Uint64(s.file_size);
        if (s.preallocated > 0) {
            w.Key("preallocated_bytes");
            w.Uint64(s.preallocated);
        }
        w.Key("status");
        w.String(state);
        if (s.problem) {
            w.Key("problem");
            w.StartObject();
            w.Key("position");
            w.Uint64(s.problem->position);
            w.Key("offset");
            s.problem->offset != log::no_offset ? w.Int64(s.problem->offset) : w.Null();
            w.Key("reason");
            w.String(log::to_string(s.problem->reason));
            w.EndObject();
            if (opts_.dump || opts_.quiet || opts_.repair || opts_.format != walcheck_format::json)
                err_ << "gafka-walcheck: " << file.string() << ": " << state << ": "
                     << log::to_string(s.problem->reason) << " at position " << s.problem->position << "\n";
            if (opts_.repair) repair(file, *f, s, w, err_);
        }
        if (gap) {
            w.Key(gap->to > gap->from ? "gap" : "overlap");
            w.StartObject();
            w.Key("from_offset");
            w.Int64(std::min(gap->from, gap->to));
            w.Key("to_offset");
            w.Int64(std::max(gap->from, gap->to));
            w.Key("explained_by_repair");
            w.Bool(gap->explained);
            w.EndObject();
        }
        w.EndObject();
        if (!opts_.dump && !opts_.quiet && opts_.format == walcheck_format::json) out_ << buf.GetString() << "\n";
        if (s.problem) return std::nullopt;  // the damage is reported; what follows it is no new gap
        return s.batches > 0 ? s.next_offset : base.value_or(0);
    }

    const walcheck_options& opts_;
    std::ostream& out_;
    std::ostream& err_;
    bool damaged_ = false;
    bool unreadable_ = false;
    std::vector<walcheck_totals> totals_;  // one per distinct PATH, in command-line order
    walcheck_totals* current_ = nullptr;   // the PATH being checked; set by check_path, which alone grows totals_
};

}  // namespace

int run_walcheck(const walcheck_options& opts, std::ostream& out, std::ostream& err) {
    if (opts.dump && opts.format != walcheck_format::json) {
        err << "gafka-walcheck: error: --dump prints records; it goes with --format json only\n";
        return walcheck_usage;
    }
    checker c(opts, out, err);
    for (const auto& p : opts.paths) c.check_path(p);
    auto code = c.exit_code();
    if (opts.format == walcheck_format::nagios) {
        if (!opts.quiet) out << nagios_report(c.totals());
        code = nagios_exit_code(c.totals());
    } else if (opts.format == walcheck_format::prometheus && !opts.quiet) {
        out << prometheus_report(c.totals(), opts.now_ms != 0 ? opts.now_ms : util::wall_clock_ms());
    }
    out.flush();
    return code;
}

}  // namespace gafka::tools
