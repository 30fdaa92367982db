#pragma once
// Writes the Prometheus text exposition format (version 0.0.4): families
// are declared once, in the order they print, and samples may be added to
// any declared family in any order (each family's samples stay together, as
// the format requires). Label values are escaped; values print as integers
// when whole, else in the shortest form that reads back the same.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gafka/util/histogram.h"

namespace gafka::http {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metrics_text {
public:
    // type: "counter", "gauge" or "histogram". Declaring a name twice is ignored.
    void family(const std::string& name, std::string_view type, std::string_view help);
    // A sample of a declared family (ignored if undeclared).
    void sample(const std::string& name, const metric_labels& labels, double value);
    void sample(const std::string& name, const metric_labels& labels, std::int64_t value);
    // _bucket{...,le=...} (cumulative, +Inf last), _sum and _count of a histogram family.
    void histogram(const std::string& name, const metric_labels& labels, const util::histogram_snapshot& h);
    std::string str() const;

private:
    struct family_text {
        std::string name;
        std::string header;
        std::string samples;
    };
    family_text* find(const std::string& name);
    std::vector<family_text> families_;
};

// "a\"b\\c\nd": backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view v);
// 3 -> "3", 0.25 -> "0.25", inf -> "+Inf", nan -> "NaN".
std::string format_metric_value(double v);

}  // namespace gafka::http
