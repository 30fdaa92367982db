#include "gafka/tools/walcheck.h"

#include <fcntl.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/json/record_json.h"
#include "gafka/log/segment.h"
#include "gafka/log/segment_scanner.h"
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
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) return unreadable(path, "cannot access: " + (ec ? ec.message() : "no such file"));
        if (fs::is_regular_file(st)) {
            if (path.extension() != log::log_suffix) return unreadable(path, "not a segment file (*.log)");
            return check_segment(path, true);
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
        for (auto& [_, segs] : partitions) {
            std::sort(segs.begin(), segs.end());
            for (std::size_t i = 0; i < segs.size(); ++i) check_segment(segs[i].second, i + 1 == segs.size());
        }
    }

    int exit_code() const {
        if (damaged_) return walcheck_damaged;
        if (unreadable_) return walcheck_unreadable;
        return walcheck_clean;
    }

private:
    void unreadable(const fs::path& path, const std::string& why) {
        unreadable_ = true;
        err_ << "gafka-walcheck: " << path.string() << ": " << why << "\n";
    }

    void check_segment(const fs::path& file, bool last_in_partition) {
        auto f = util::file::open(file, opts_.repair ? O_RDWR : O_RDONLY);
        if (!f.ok()) return unreadable(file, f.error().message());
        auto base = log::parse_segment_file_name(file.filename().string(), log::log_suffix);
        auto origin = origin_of(file);
        std::string lines;
        auto scan = log::scan_segment(*f, 0, base.value_or(log::no_offset),
                                      [&](std::uint64_t, std::string_view batch) {
                                          if (!opts_.dump || opts_.quiet) return true;
                                          log::batch_records records(batch);
                                          log::record_view r;
                                          while (records.next(r)) {
                                              json::append_record_json(lines, origin, r);
                                              lines += '\n';
                                          }
                                          out_ << lines;
                                          lines.clear();
                                          return true;
                                      });
        if (!scan.ok()) return unreadable(file, scan.error().message());
        const auto& s = *scan;
        const char* state = "ok";
        if (s.problem) {
            damaged_ = true;
            state = last_in_partition && !s.problem->valid_data_follows ? "torn_tail" : "corrupt";
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
            if (opts_.dump || opts_.quiet || opts_.repair)
                err_ << "gafka-walcheck: " << file.string() << ": " << state << ": "
                     << log::to_string(s.problem->reason) << " at position " << s.problem->position << "\n";
            if (opts_.repair) repair(file, *f, s, w, err_);
        }
        w.EndObject();
        if (!opts_.dump && !opts_.quiet) out_ << buf.GetString() << "\n";
    }

    const walcheck_options& opts_;
    std::ostream& out_;
    std::ostream& err_;
    bool damaged_ = false;
    bool unreadable_ = false;
};

}  // namespace

int run_walcheck(const walcheck_options& opts, std::ostream& out, std::ostream& err) {
    checker c(opts, out, err);
    for (const auto& p : opts.paths) c.check_path(p);
    out.flush();
    return c.exit_code();
}

}  // namespace gafka::tools
