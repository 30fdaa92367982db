// client::line_reader: numbered lines from chunks, and bounded memory for a
// line of any length (issue 17: a 300 MB line was held whole).
#include "gafka/client/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gafka::client {
namespace {

constexpr std::size_t max_line = 100;

class line_reader_test : public ::testing::Test {
protected:
    struct seen {
        std::int64_t number;
        std::string text;
        bool too_long;
        std::uint64_t length;
        bool operator==(const seen&) const = default;
    };

    line_reader::sink collect() {
        return [this](const input_line& l) {
            lines_.push_back({l.number, std::string(l.text), l.too_long, l.length});
            return true;
        };
    }

    // Feeds `text` in chunks of `chunk` bytes, checking the bound after each.
    void feed(std::string_view text, std::size_t chunk) {
        for (std::size_t i = 0; i < text.size(); i += chunk) {
            ASSERT_TRUE(reader_.feed(text.substr(i, chunk), collect()));
            ASSERT_LE(reader_.buffered(), max_line + chunk);
            most_buffered_ = std::max(most_buffered_, reader_.buffered());
        }
    }

    line_reader reader_{max_line};
    std::vector<seen> lines_;
    std::size_t most_buffered_ = 0;
};

TEST_F(line_reader_test, splits_lines_across_chunks_and_numbers_them_from_1) {
    feed("ab\ncd\n\nefg", 2);
    ASSERT_TRUE(reader_.finish(collect()));
    EXPECT_EQ(lines_, (std::vector<seen>{{1, "ab", false, 2}, {2, "cd", false, 2}, {3, "", false, 0},
                                         {4, "efg", false, 3}}));
}

TEST_F(line_reader_test, a_line_of_exactly_the_limit_is_kept) {
    feed(std::string(max_line, 'x') + "\n", 7);
    ASSERT_EQ(lines_.size(), 1u);
    EXPECT_FALSE(lines_[0].too_long);
    EXPECT_EQ(lines_[0].text.size(), max_line);
}

TEST_F(line_reader_test, a_line_past_the_limit_is_counted_to_its_end_but_not_kept) {
    constexpr std::size_t huge = 10'000'000;
    feed("ok\n" + std::string(huge, 'x') + "\nafter\n", 4096);
    EXPECT_EQ(lines_, (std::vector<seen>{{1, "ok", false, 2}, {2, "", true, huge}, {3, "after", false, 5}}));
    EXPECT_LE(most_buffered_, max_line);  // the huge line was dropped as soon as it passed the limit
}

TEST_F(line_reader_test, input_without_any_newline_stays_bounded_and_ends_as_one_too_long_line) {
    constexpr std::size_t huge = 5'000'000;
    feed(std::string(huge, 'y'), 65536);
    ASSERT_TRUE(reader_.finish(collect()));
    EXPECT_EQ(lines_, (std::vector<seen>{{1, "", true, huge}}));
}

TEST_F(line_reader_test, a_sink_returning_false_stops_the_feed) {
    int calls = 0;
    EXPECT_FALSE(reader_.feed("a\nb\nc\n", [&](const input_line&) { return ++calls < 2; }));
    EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace gafka::client
