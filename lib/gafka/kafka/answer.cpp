#include "gafka/kafka/answer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace gafka::kafka {

result<std::string> splice_in(const std::string& frame, const std::vector<splice>& splices,
                              const std::vector<log::file_range>& files) {
    std::string out;
    std::size_t from = 0;
    for (const auto& s : splices) {
        out.append(frame, from, s.at - from);
        from = s.at;
        const auto& f = files.at(static_cast<std::size_t>(s.slot));
        auto at = out.size();
        out.resize(at + s.length);
        for (std::uint64_t done = 0; done < s.length;) {
            auto n = ::pread(f.fd, out.data() + at + done, s.length - done, static_cast<off_t>(f.position + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return status::io_error(std::string("reading a batch to send: ") +
                                                (n < 0 ? std::strerror(errno) : "the segment ended early"));
            done += static_cast<std::uint64_t>(n);
        }
    }
    out.append(frame, from, std::string::npos);
    return out;
}

std::size_t answers_written_together(const std::deque<std::shared_ptr<pending_answer>>& answers,
                                     std::size_t max_bytes) {
    std::size_t n = 0, bytes = 0;
    for (const auto& a : answers) {
        if (!a->ready || !a->splices.empty() || (n > 0 && bytes + a->frame.size() > max_bytes)) break;
        bytes += a->frame.size();
        ++n;
        if (a->close) break;
    }
    return std::max<std::size_t>(n, 1);
}

}  // namespace gafka::kafka
