#include "gafka/kafka/frame_reader.h"

#include <cstring>

#include "gafka/kafka/frame.h"

namespace gafka::kafka {

frame_bytes::frame_bytes(std::size_t size)
    : data_(std::make_unique_for_overwrite<char[]>(size)), size_(size), capacity_(size) {}

frame_reader::frame_reader(std::size_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes), ahead_(std::make_unique_for_overwrite<char[]>(read_ahead_size)) {}

std::span<char> frame_reader::room() {
    if (partial_) return {partial_->data() + partial_have_, partial_->size() - partial_have_};
    if (end_ == read_ahead_size) {  // only part of a size prefix is left: move it to the front
        std::memmove(ahead_.get(), ahead_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    return {ahead_.get() + end_, read_ahead_size - end_};
}

void frame_reader::filled(std::size_t n) {
    if (partial_) partial_have_ += n;
    else end_ += n;
}

std::shared_ptr<frame_bytes> frame_reader::make_frame(std::size_t size) {
    // A frame is done with when this reader holds its only reference (the
    // connection's handlers run on the reader's thread).
    for (auto& f : handed_out_) {
        if (f.use_count() == 1 && f->capacity() >= size) {
            f->reuse(size);
            return f;
        }
    }
    auto f = std::make_shared<frame_bytes>(size);
    if (size > spare_frame_max_bytes) return f;
    if (handed_out_.size() < spare_frames) {
        handed_out_.push_back(f);
    } else {  // replaces a done one, if any, else keeps none
        for (auto& old : handed_out_)
            if (old.use_count() == 1) {
                old = f;
                break;
            }
    }
    return f;
}

result<std::optional<std::shared_ptr<frame_bytes>>> frame_reader::next() {
    if (!partial_) {
        if (end_ - begin_ < frame_prefix_size) {
            if (begin_ == end_) begin_ = end_ = 0;
            return std::optional<std::shared_ptr<frame_bytes>>();
        }
        auto length = frame_length(std::string_view(ahead_.get() + begin_, frame_prefix_size), max_frame_bytes_);
        if (!length.ok()) return length.error();
        partial_ = make_frame(frame_prefix_size + *length);
        partial_have_ = std::min(partial_->size(), end_ - begin_);
        std::memcpy(partial_->data(), ahead_.get() + begin_, partial_have_);
        begin_ += partial_have_;
        if (begin_ == end_) begin_ = end_ = 0;
    }
    if (partial_have_ < partial_->size()) return std::optional<std::shared_ptr<frame_bytes>>();
    partial_have_ = 0;
    return std::optional(std::move(partial_));
}

}  // namespace gafka::kafka
