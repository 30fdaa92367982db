// kafka::frame_reader: bytes as reads hand them over (split anywhere, or
// several frames in one read) come out as the same whole frames.
#include "gafka/kafka/frame_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gafka/kafka/frame.h"
#include "gafka/util/endian.h"

namespace gafka::kafka {
namespace {

constexpr std::size_t max_frame = 1 << 20;

std::string frame_of(std::size_t body_size, char fill) {
    std::string f(frame_prefix_size + body_size, fill);
    util::store_be<std::int32_t>(f.data(), static_cast<std::int32_t>(body_size));
    return f;
}

// Feeds `bytes` through reads of at most `chunk` bytes (less when the
// reader offers less room) and collects the frames.
std::vector<std::string> read_all(const std::string& bytes, std::size_t chunk) {
    frame_reader r(max_frame);
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        auto got = r.next();
        EXPECT_TRUE(got.ok());
        if (!got.ok()) break;
        if (*got) {
            out.emplace_back((**got)->view());
            continue;
        }
        if (at == bytes.size()) break;
        auto room = r.room();
        EXPECT_FALSE(room.empty());
        auto n = std::min({chunk, room.size(), bytes.size() - at});
        std::memcpy(room.data(), bytes.data() + at, n);
        r.filled(n);
        at += n;
    }
    EXPECT_FALSE(r.mid_frame());
    return out;
}

TEST(frame_reader, gives_back_the_frames_whatever_the_reads) {
    // Small, empty-bodied, larger than the read-ahead, and small again.
    std::vector<std::string> frames{frame_of(10, 'a'), frame_of(0, 'b'), frame_of(3 * frame_reader::read_ahead_size + 5, 'c'),
                                    frame_of(1, 'd'), frame_of(frame_reader::read_ahead_size - 2, 'e'), frame_of(7, 'f')};
    std::string all;
    for (const auto& f : frames) all += f;
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{5}, std::size_t{4093},
                              frame_reader::read_ahead_size, all.size()})
        EXPECT_EQ(read_all(all, chunk), frames) << "reads of " << chunk;
}

TEST(frame_reader, a_size_prefix_cut_by_the_end_of_the_read_ahead_is_moved_to_its_front) {
    // The first frame leaves 2 bytes of room: the next prefix arrives in two reads.
    std::vector<std::string> frames{frame_of(frame_reader::read_ahead_size - frame_prefix_size - 2, 'x'),
                                    frame_of(20, 'y')};
    EXPECT_EQ(read_all(frames[0] + frames[1], frame_reader::read_ahead_size), frames);
}

TEST(frame_reader, a_frame_over_the_limit_or_a_negative_size_is_an_error) {
    for (std::int32_t size : {static_cast<std::int32_t>(max_frame + 1), -1}) {
        frame_reader r(max_frame);
        auto room = r.room();
        util::store_be<std::int32_t>(room.data(), size);
        r.filled(frame_prefix_size);
        EXPECT_FALSE(r.next().ok()) << size;
    }
}

TEST(frame_reader, says_when_a_frame_has_begun) {
    frame_reader r(max_frame);
    EXPECT_FALSE(r.mid_frame());
    auto f = frame_of(100, 'z');
    std::memcpy(r.room().data(), f.data(), 2);
    r.filled(2);
    EXPECT_TRUE(r.mid_frame());
    auto got = r.next();
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(*got);
    auto room = r.room();
    std::memcpy(room.data(), f.data() + 2, f.size() - 2);
    r.filled(f.size() - 2);
    got = r.next();
    ASSERT_TRUE(got.ok() && *got);
    EXPECT_EQ((**got)->view(), f);
    EXPECT_FALSE(r.mid_frame());
}

// One whole frame of `body_size` bytes through `r`, in one read.
std::shared_ptr<frame_bytes> one_frame(frame_reader& r, std::size_t body_size) {
    auto f = frame_of(body_size, 'r');
    for (std::size_t at = 0; at < f.size();) {
        auto room = r.room();
        auto n = std::min(room.size(), f.size() - at);
        std::memcpy(room.data(), f.data() + at, n);
        r.filled(n);
        at += n;
        auto got = r.next();
        if (!got.ok()) return nullptr;
        if (*got) return std::move(**got);
    }
    return nullptr;
}

TEST(frame_reader, the_buffer_of_a_frame_let_go_is_used_again_and_one_still_held_is_not) {
    frame_reader r(max_frame);
    auto first = one_frame(r, 50000);
    ASSERT_TRUE(first);
    const char* first_bytes = first->data();
    auto second = one_frame(r, 40000);
    ASSERT_TRUE(second);
    EXPECT_NE(second->data(), first_bytes) << "the first is still held";
    first.reset();
    auto third = one_frame(r, 30000);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->data(), first_bytes);
    EXPECT_EQ(third->size(), frame_prefix_size + 30000);
    EXPECT_EQ(third->view(), frame_of(30000, 'r'));
    third.reset();
    auto larger = one_frame(r, 60000);  // more than either buffer holds
    ASSERT_TRUE(larger);
    EXPECT_NE(larger->data(), first_bytes);
    EXPECT_NE(larger->data(), second->data());
}

}  // namespace
}  // namespace gafka::kafka
