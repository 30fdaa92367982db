#pragma once
// Cuts a connection's bytes into whole frames (size prefix included) without
// zero-filling or copying them more than once. Reads go into a small
// read-ahead until a frame's size is known; then the frame gets its own
// buffer, left uninitialized, takes what the read-ahead holds of it, and
// the rest of it is read straight into it. So a large Produce frame is
// written once by the kernel and (but for its first read) never copied, and
// small pipelined frames come out of one read each. The buffers of a few
// frames whose handlers are done are used again (fresh memory would cost a
// page fault and a page zeroed by the kernel for every 4 KiB a read fills).
//
// Not thread-safe: one per connection, used by its reader.
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::kafka {

// One frame's bytes, owned; mutable so a handler may work in them in place
// (the Produce handler lends its batches to the log, which restamps them).
class frame_bytes {
public:
    explicit frame_bytes(std::size_t size);
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    // Used again for a frame of `size` <= capacity() bytes.
    void reuse(std::size_t size) { size_ = size; }
    char* data() { return data_.get(); }
    std::string_view view() const { return {data_.get(), size_}; }

private:
    std::unique_ptr<char[]> data_;  // not zero-filled
    std::size_t size_;
    std::size_t capacity_;
};

class frame_reader {
public:
    static constexpr std::size_t read_ahead_size = 16384;
    // Frame buffers kept for reuse: at most this many, each at most this large.
    static constexpr std::size_t spare_frames = 8;
    static constexpr std::size_t spare_frame_max_bytes = 2u << 20;

    explicit frame_reader(std::size_t max_frame_bytes);

    // Where the next read goes: the rest of the frame being assembled, or the
    // read-ahead's free room. Never empty.
    std::span<char> room();
    // `n` bytes were read into room().
    void filled(std::size_t n);
    // The next whole frame, if its bytes are in; too_large or corruption for
    // a size prefix over the limit or negative (the connection cannot go on).
    result<std::optional<std::shared_ptr<frame_bytes>>> next();
    // Bytes of a frame not yet whole are held (a frame has begun).
    bool mid_frame() const { return partial_ != nullptr || end_ > begin_; }

private:
    // A buffer for a frame of `size` bytes: a done one again if it fits.
    std::shared_ptr<frame_bytes> make_frame(std::size_t size);

    std::size_t max_frame_bytes_;
    std::vector<std::shared_ptr<frame_bytes>> handed_out_;  // the last frames given, up to spare_frames
    std::unique_ptr<char[]> ahead_;
    std::size_t begin_ = 0;  // read-ahead bytes not yet taken: [begin_, end_)
    std::size_t end_ = 0;
    std::shared_ptr<frame_bytes> partial_;  // the frame being read, when its size is known
    std::size_t partial_have_ = 0;
};

}  // namespace gafka::kafka
