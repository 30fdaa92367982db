#include "gafka/tools/walcheck_report.h"

#include <cstdio>
#include <string_view>

#include "gafka/http/metrics_text.h"

namespace gafka::tools {
namespace {

struct sums {
    std::int64_t segments = 0, damaged = 0, records = 0, unreadable = 0;
    std::uint64_t bytes = 0;
};

sums add_up(const std::vector<walcheck_totals>& totals) {
    sums s;
    for (const auto& t : totals) {
        s.segments += t.segments;
        s.damaged += t.damaged_segments;
        s.records += t.records;
        s.bytes += t.bytes;
        s.unreadable += static_cast<std::int64_t>(t.unreadable.size());
    }
    return s;
}

// The text part of a status line may hold neither '|' (it starts the
// perfdata) nor a line break (a second line is long output).
std::string status_text(std::string text) {
    for (auto& c : text)
        if (c == '|' || c == '\n' || c == '\r') c = '_';
    return text;
}

std::string plural(std::int64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string paths_of(const std::vector<walcheck_totals>& totals) {
    std::string out;
    for (const auto& t : totals) out += (out.empty() ? "" : ", ") + t.path;
    return out;
}

}  // namespace

std::optional<walcheck_format> parse_walcheck_format(std::string_view text) {
    if (text == "json") return walcheck_format::json;
    if (text == "nagios") return walcheck_format::nagios;
    if (text == "prometheus") return walcheck_format::prometheus;
    return std::nullopt;
}

int nagios_exit_code(const std::vector<walcheck_totals>& totals) {
    auto s = add_up(totals);
    if (s.damaged > 0) return nagios_critical;
    if (s.unreadable > 0) return nagios_unknown;
    return nagios_ok;
}

std::string nagios_report(const std::vector<walcheck_totals>& totals) {
    auto s = add_up(totals);
    std::string text;
    const walcheck_damage* first_damage = nullptr;
    const std::string* first_unreadable = nullptr;
    for (const auto& t : totals) {
        if (!first_damage && !t.damage.empty()) first_damage = &t.damage.front();
        if (!first_unreadable && !t.unreadable.empty()) first_unreadable = &t.unreadable.front();
    }
    switch (nagios_exit_code(totals)) {
    case nagios_critical:
        text = "WALCHECK CRITICAL - " + std::to_string(s.damaged) + " of " + plural(s.segments, "segment") +
               " damaged: " + first_damage->file + " " + first_damage->status + " (" + first_damage->detail + ")";
        if (s.damaged > 1) text += " and " + std::to_string(s.damaged - 1) + " more";
        if (s.unreadable > 0) text += "; " + std::to_string(s.unreadable) + " not readable";
        break;
    case nagios_unknown:
        text = "WALCHECK UNKNOWN - cannot read " + *first_unreadable;
        if (s.unreadable > 1) text += " and " + std::to_string(s.unreadable - 1) + " more";
        break;
    default:
        text = "WALCHECK OK - " + plural(s.segments, "segment") + " clean, " + plural(s.records, "record") + ", " +
               plural(static_cast<std::int64_t>(s.bytes), "byte") + " in " + paths_of(totals);
    }
    return status_text(std::move(text)) + " | segments=" + std::to_string(s.segments) +
           ";;;0 damaged_segments=" + std::to_string(s.damaged) + ";;0;0 records=" + std::to_string(s.records) +
           ";;;0 bytes=" + std::to_string(s.bytes) + "B;;;0 unreadable=" + std::to_string(s.unreadable) + ";;;0\n";
}

std::string prometheus_report(const std::vector<walcheck_totals>& totals, std::int64_t now_ms) {
    struct metric {
        const char* name;
        const char* help;
        std::string (*value)(const walcheck_totals&);
    };
    char now[32];
    std::snprintf(now, sizeof now, "%lld.%03lld", static_cast<long long>(now_ms / 1000),
                  static_cast<long long>(now_ms % 1000));
    static const metric metrics[] = {
        {"segments", "Segment files gafka-walcheck read under the path.",
         [](const walcheck_totals& t) { return std::to_string(t.segments); }},
        {"damaged_segments", "Segments that are corrupt, torn, or do not join the segment before them.",
         [](const walcheck_totals& t) { return std::to_string(t.damaged_segments); }},
        {"records", "Readable records in the segments.",
         [](const walcheck_totals& t) { return std::to_string(t.records); }},
        {"bytes", "Size of the segment files in bytes.",
         [](const walcheck_totals& t) { return std::to_string(t.bytes); }},
        {"unreadable", "Paths or segment files that could not be read.",
         [](const walcheck_totals& t) { return std::to_string(t.unreadable.size()); }},
    };
    std::string out;
    auto header = [&](const std::string& name, const char* help) {
        out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
    };
    for (const auto& m : metrics) {
        auto name = std::string("gafka_walcheck_") + m.name;
        header(name, m.help);
        for (const auto& t : totals) out += name + "{data_dir=\"" + http::escape_label_value(t.path) + "\"} " + m.value(t) + "\n";
    }
    header("gafka_walcheck_last_run_timestamp_seconds", "When gafka-walcheck checked the path, in seconds since the epoch.");
    for (const auto& t : totals)
        out += "gafka_walcheck_last_run_timestamp_seconds{data_dir=\"" + http::escape_label_value(t.path) + "\"} " + now + "\n";
    return out;
}

}  // namespace gafka::tools
