#include "gafka/http/metrics_text.h"

#include <charconv>
#include <cmath>

namespace gafka::http {
namespace {

void append_labels(std::string& out, const metric_labels& labels, const char* le = nullptr) {
    if (labels.empty() && !le) return;
    out += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out += ',';
        first = false;
        out += k;
        out += "=\"";
        out += escape_label_value(v);
        out += '"';
    }
    if (le) {
        if (!first) out += ',';
        out += "le=\"";
        out += le;
        out += '"';
    }
    out += '}';
}

}  // namespace

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_metric_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::trunc(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<std::int64_t>(v));
    // Shortest round-trip digits; fixed notation ("0.0001", not "1e-04") in
    // the range latencies and ages live in.
    char buf[400];
    auto a = std::fabs(v);
    auto r = a >= 1e-6 && a < 1e15 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                                   : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

metrics_text::family_text* metrics_text::find(const std::string& name) {
    for (auto& f : families_)
        if (f.name == name) return &f;
    return nullptr;
}

void metrics_text::family(const std::string& name, std::string_view type, std::string_view help) {
    if (find(name)) return;
    std::string header = "# HELP " + name + " ";
    for (char c : help) header += c == '\n' ? ' ' : c;  // HELP text is one line
    header += "\n# TYPE " + name + " " + std::string(type) + "\n";
    families_.push_back({name, std::move(header), {}});
}

void metrics_text::sample(const std::string& name, const metric_labels& labels, double value) {
    auto* f = find(name);
    if (!f) return;
    f->samples += name;
    append_labels(f->samples, labels);
    f->samples += ' ';
    f->samples += format_metric_value(value);
    f->samples += '\n';
}

void metrics_text::sample(const std::string& name, const metric_labels& labels, std::int64_t value) {
    auto* f = find(name);
    if (!f) return;
    f->samples += name;
    append_labels(f->samples, labels);
    f->samples += ' ';
    f->samples += std::to_string(value);
    f->samples += '\n';
}

void metrics_text::histogram(const std::string& name, const metric_labels& labels, const util::histogram_snapshot& h) {
    auto* f = find(name);
    if (!f) return;
    auto& out = f->samples;
    for (std::size_t i = 0; i < h.cumulative.size(); ++i) {
        auto le = i < h.bounds.size() ? format_metric_value(h.bounds[i]) : std::string("+Inf");
        out += name + "_bucket";
        append_labels(out, labels, le.c_str());
        out += ' ' + std::to_string(h.cumulative[i]) + '\n';
    }
    out += name + "_sum";
    append_labels(out, labels);
    out += ' ' + format_metric_value(h.sum) + '\n';
    out += name + "_count";
    append_labels(out, labels);
    out += ' ' + std::to_string(h.count) + '\n';
}

std::string metrics_text::str() const {
    std::string out;
    for (const auto& f : families_) out += f.header + f.samples;
    return out;
}

}  // namespace gafka::http
