#pragma once
// The bytes of one batch on their way to partition_log::append: either a
// string the append owns (moved in: batch_builder::finish, a rewritten
// batch), or a view of bytes the caller owns and lends until the append
// returns, which the log restamps in place (base offset and leader epoch) and
// writes from there. A Kafka Produce batch is lent this way, so it goes from
// the request's frame to the segment file without a copy.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace gafka::log {

class batch_bytes {
public:
    // Implicit: an owned batch is passed as the string it is.
    batch_bytes(std::string owned) : owned_(std::move(owned)) {}
    // `bytes` must stay valid, and untouched by anyone else, until the append returns.
    static batch_bytes lent(std::span<char> bytes) { return batch_bytes(bytes); }

    std::size_t size() const { return lent_ ? lent_size_ : owned_.size(); }
    char* data() { return lent_ ? lent_ : owned_.data(); }
    std::string_view view() const { return lent_ ? std::string_view(lent_, lent_size_) : std::string_view(owned_); }

private:
    explicit batch_bytes(std::span<char> bytes) : lent_(bytes.data()), lent_size_(bytes.size()) {}

    std::string owned_;
    char* lent_ = nullptr;  // set: the bytes are lent, owned_ is empty
    std::size_t lent_size_ = 0;
};

}  // namespace gafka::log
