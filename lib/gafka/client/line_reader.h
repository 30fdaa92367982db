#pragma once
// Splits a byte stream, fed in chunks, into numbered lines, holding at most
// `max_line` bytes of a line: a longer line is not kept but counted to its
// end and handed on as too long (with its length), so input of any size,
// with or without newlines, is read in bounded memory.
// Invariant: buffered() <= max_line + the size of the chunk being fed.
// Not thread-safe: one reader, one thread.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gafka::client {

struct input_line {
    std::int64_t number = 0;  // from 1
    std::string_view text;    // without the newline; empty when too_long
    bool too_long = false;
    std::uint64_t length = 0;  // bytes, newline excluded (also when too_long)
};

class line_reader {
public:
    // Called for each line; false stops the feed at once.
    using sink = std::function<bool(const input_line&)>;

    explicit line_reader(std::size_t max_line) : max_line_(max_line) {}

    // Takes the next bytes of input; hands every line they complete to
    // `on_line`. Returns false when `on_line` did.
    bool feed(std::string_view bytes, const sink& on_line);
    // The input ended: a last line without a newline is handed on too.
    bool finish(const sink& on_line);

    std::size_t buffered() const { return partial_.size(); }

private:
    bool emit(std::string_view text, const sink& on_line);

    std::size_t max_line_;
    std::string partial_;        // the start of a line whose newline has not come yet
    std::uint64_t skipped_ = 0;  // bytes of a too-long line dropped so far (0: not skipping)
    std::int64_t number_ = 0;
};

}  // namespace gafka::client
