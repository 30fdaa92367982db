#include "gafka/client/line_reader.h"

namespace gafka::client {

bool line_reader::emit(std::string_view text, const sink& on_line) {
    input_line l;
    l.number = ++number_;
    l.too_long = skipped_ > 0;
    l.length = skipped_ > 0 ? skipped_ : text.size();
    if (!l.too_long) l.text = text;
    skipped_ = 0;
    return on_line(l);
}

bool line_reader::feed(std::string_view bytes, const sink& on_line) {
    while (!bytes.empty()) {
        auto nl = bytes.find('\n');
        auto piece = bytes.substr(0, nl);  // the whole rest when there is no newline
        if (skipped_ > 0) {
            skipped_ += piece.size();
        } else if (partial_.size() + piece.size() > max_line_) {
            skipped_ = partial_.size() + piece.size();  // too long: stop keeping it, count it to its end
            partial_.clear();
            partial_.shrink_to_fit();
        } else if (nl != std::string_view::npos && partial_.empty()) {
            // The usual case: the whole line is in this chunk; no copy.
            if (!emit(piece, on_line)) return false;
            bytes.remove_prefix(nl + 1);
            continue;
        } else {
            partial_.append(piece);
        }
        if (nl == std::string_view::npos) return true;
        bool go_on = emit(partial_, on_line);
        partial_.clear();
        if (!go_on) return false;
        bytes.remove_prefix(nl + 1);
    }
    return true;
}

bool line_reader::finish(const sink& on_line) {
    if (partial_.empty() && skipped_ == 0) return true;
    bool go_on = emit(partial_, on_line);
    partial_.clear();
    return go_on;
}

}  // namespace gafka::client
