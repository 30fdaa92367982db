#include "gafka/log/partition_log.h"

#include <fcntl.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "test_support.h"

namespace gafka::log {
namespace fs = std::filesystem;

// Fixture in the style of LevelDB's log_test: write, damage, reopen, read.
class partition_log_test : public ::testing::Test {
protected:
    fs::path dir() const { return tmp_.path() / "p0"; }
    fs::path segment_file(offset_t base = 0) const { return dir() / segment_file_name(base, log_suffix); }
    fs::path index_file(offset_t base = 0) const { return dir() / segment_file_name(base, index_suffix); }

    std::unique_ptr<partition_log> open(log_options o = {}) {
        auto r = partition_log::open(dir(), std::move(o));
        EXPECT_TRUE(r.ok()) << r.error().to_string();
        return r.ok() ? std::move(r).value() : nullptr;
    }

    static std::string make_batch(offset_t first_value, int records) {
        batch_builder b;
        for (int i = 0; i < records; ++i)
            b.add(1000 + first_value + i, "k" + std::to_string(first_value + i), "value-" + std::to_string(first_value + i));
        return b.finish();
    }

    // Appends `batches` batches of `per_batch` records; values count from 0.
    static void write(partition_log& log, int batches, int per_batch = 3) {
        for (int i = 0; i < batches; ++i) {
            auto r = log.append(make_batch(log.log_end_offset(), per_batch));
            ASSERT_TRUE(r.ok()) << r.error().to_string();
        }
    }

    // Every record value from `from` to the end.
    static std::vector<std::string> read_all(const partition_log& log, offset_t from = 0, std::size_t max = 1 << 20) {
        std::vector<std::string> values;
        offset_t next = from;
        for (int guard = 0; guard < 100000; ++guard) {
            auto r = log.read(next, max);
            if (!r.ok() || r->data.empty()) break;
            std::string_view data(r->data);
            while (!data.empty()) {
                auto h = decode_header(data.data());
                batch_records recs(data.substr(0, h.length));
                record_view rv;
                while (recs.next(rv))
                    if (rv.offset >= next) values.emplace_back(*rv.value);
                data.remove_prefix(h.length);
            }
            next = r->next_offset;
        }
        return values;
    }

    static std::vector<std::string> expected_values(int n) {
        std::vector<std::string> v;
        for (int i = 0; i < n; ++i) v.push_back("value-" + std::to_string(i));
        return v;
    }

    test::temp_dir tmp_;
};

TEST_F(partition_log_test, reads_back_what_was_appended) {
    auto log = open();
    write(*log, 10);
    EXPECT_EQ(log->log_end_offset(), 30);
    EXPECT_EQ(read_all(*log), expected_values(30));
    EXPECT_EQ(read_all(*log, 17).front(), "value-17");
}

TEST_F(partition_log_test, a_lent_batch_is_stamped_and_written_from_the_lenders_bytes) {
    auto log = open();
    write(*log, 1);
    std::string lender = make_batch(3, 2);
    ASSERT_TRUE(log->append(batch_bytes::lent(std::span<char>(lender))).ok());
    EXPECT_EQ(decode_header(lender.data()).base_offset, 3);  // stamped in place
    EXPECT_EQ(check_batch(lender), batch_problem::none);
    lender.assign(lender.size(), '\0');  // the log holds no view of it once append returned
    EXPECT_EQ(log->log_end_offset(), 5);
    EXPECT_EQ(read_all(*log), expected_values(5));
}

TEST_F(partition_log_test, reopens_after_a_clean_close_without_scanning) {
    {
        auto log = open();
        write(*log, 50);
        ASSERT_TRUE(log->close().ok());
    }
    auto log = open();
    EXPECT_EQ(log->log_end_offset(), 150);
    EXPECT_LE(log->recovery().records_scanned, 3);  // only the last batch
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    EXPECT_EQ(read_all(*log), expected_values(150));
}

TEST_F(partition_log_test, recovers_all_batches_after_a_crash) {
    {
        auto log = open();
        write(*log, 20);
        ASSERT_TRUE(log->sync().ok());
    }  // no close(): as after kill -9
    auto log = open();
    EXPECT_EQ(log->log_end_offset(), 60);
    EXPECT_EQ(read_all(*log), expected_values(60));
}

TEST_F(partition_log_test, torn_tail_at_every_byte_recovers_exactly_the_batches_before_it) {
    std::uint64_t two_batches = 0, three_batches = 0;
    {
        auto log = open();
        write(*log, 2);
        two_batches = log->size_bytes();
        write(*log, 1);
        three_batches = log->size_bytes();
    }
    auto pristine = tmp_.path() / "pristine";
    test::copy_dir(dir(), pristine);
    for (auto size = two_batches; size < three_batches; ++size) {
        fs::remove_all(dir());
        test::copy_dir(pristine, dir());
        test::truncate_to(segment_file(), size);
        // The first bytes of a batch are its base offset, big-endian: while
        // they are all zero the tail reads as preallocated zeros, kept and
        // written over, not as a torn batch to cut.
        auto tail = test::file_bytes(segment_file()).substr(two_batches);
        bool zeros = tail.find_first_not_of('\0') == std::string::npos;
        auto log = open();
        ASSERT_TRUE(log) << "cut at " << size;
        EXPECT_EQ(log->log_end_offset(), 6) << "cut at " << size;
        EXPECT_EQ(log->recovery().truncated_bytes, zeros ? 0 : size - two_batches);
        EXPECT_FALSE(log->corrupt_offset().has_value());
        EXPECT_EQ(fs::file_size(segment_file()), zeros ? size : two_batches);
        EXPECT_EQ(read_all(*log), expected_values(6));
        write(*log, 1);  // and it takes appends again
        EXPECT_EQ(read_all(*log).size(), 9u);
    }
}

TEST_F(partition_log_test, a_zero_filled_tail_is_kept_as_preallocated_space_and_appended_into) {
    std::uint64_t good = 0;
    {
        auto log = open();
        write(*log, 4);
        good = log->size_bytes();
    }
    test::append_bytes(segment_file(), std::string(8192, '\0'));
    auto log = open();
    EXPECT_EQ(log->log_end_offset(), 12);
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    EXPECT_EQ(log->size_bytes(), good);
    write(*log, 1);
    EXPECT_EQ(read_all(*log), expected_values(15));
    auto end = log->size_bytes();
    log.reset();  // a clean close gives the zeros back
    EXPECT_EQ(fs::file_size(segment_file()), end);
}

TEST_F(partition_log_test, appends_keep_zeros_ahead_of_the_end_and_a_crash_leaves_them_for_recovery) {
    auto log = open();
    write(*log, 4);
    auto end = log->size_bytes();
    auto bytes = test::file_bytes(segment_file());  // what a kill -9 now would leave
    ASSERT_GT(bytes.size(), end);
    EXPECT_LE(bytes.size(), end + log::segment::zero_ahead_bytes);
    EXPECT_EQ(bytes.find_first_not_of('\0', end), std::string::npos);
    log.reset();
    EXPECT_EQ(fs::file_size(segment_file()), end);

    fs::remove(segment_file());
    test::append_bytes(segment_file(), bytes);
    log = open();
    EXPECT_EQ(log->log_end_offset(), 12);
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    EXPECT_EQ(read_all(*log), expected_values(12));
}

TEST_F(partition_log_test, batches_larger_than_zero_ahead_max_batch_do_not_zero_ahead) {
    auto log = open();
    batch_builder b;
    for (int i = 0; i < 40; ++i) b.add(1000 + i, "", std::string(2048, 'v'));
    auto big = b.finish();
    ASSERT_GT(big.size(), segment::zero_ahead_max_batch);
    ASSERT_TRUE(log->append(big).ok());
    EXPECT_EQ(fs::file_size(segment_file()), log->size_bytes());
    write(*log, 1);  // a small one does
    EXPECT_GT(fs::file_size(segment_file()), log->size_bytes());
}

TEST_F(partition_log_test, a_torn_batch_in_preallocated_space_is_cut_with_the_zeros_after_it) {
    auto log = open();
    write(*log, 2);
    auto good = log->size_bytes();
    write(*log, 1);
    auto bytes = test::file_bytes(segment_file());
    log.reset();
    bytes[good + (log::batch_header_size + 5)] ^= 0x40;  // the third batch never fully reached the disk
    fs::remove(segment_file());
    test::append_bytes(segment_file(), bytes);
    log = open();
    EXPECT_EQ(log->log_end_offset(), 6);
    EXPECT_EQ(log->recovery().truncated_bytes, bytes.size() - good);
    EXPECT_EQ(fs::file_size(segment_file()), good);
}

TEST_F(partition_log_test, a_segment_is_trimmed_to_its_batches_when_it_rolls) {
    log_options o;
    o.segment_bytes = 4096;
    auto log = open(o);
    write(*log, 100);
    ASSERT_GT(log->segment_count(), 2);
    std::vector<fs::path> segments;
    for (const auto& e : fs::directory_iterator(dir()))
        if (e.path().extension() == log_suffix) segments.push_back(e.path());
    std::sort(segments.begin(), segments.end());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        auto f = util::file::open(segments[i], O_RDONLY);
        ASSERT_TRUE(f.ok());
        auto scan = scan_segment(*f, 0, no_offset);
        ASSERT_TRUE(scan.ok());
        EXPECT_FALSE(scan->problem.has_value()) << segments[i];
        bool active = i + 1 == segments.size();
        EXPECT_EQ(scan->preallocated > 0, active) << segments[i] << ": " << scan->preallocated << " zero bytes";
        EXPECT_EQ(scan->valid_end + scan->preallocated, fs::file_size(segments[i]));
    }
}

TEST_F(partition_log_test, flipped_byte_mid_log_stops_reads_before_it_and_is_reported) {
    std::uint64_t one_batch = 0;
    {
        auto log = open();
        write(*log, 1);
        one_batch = log->size_bytes();
        write(*log, 2);
    }  // crash: the recovery scan reads all three batches
    test::flip_byte(segment_file(), one_batch + batch_header_size + 10);
    auto log = open();
    ASSERT_TRUE(log->corrupt_offset().has_value());
    EXPECT_EQ(*log->corrupt_offset(), 3);
    ASSERT_TRUE(log->recovery().corruption.has_value());
    EXPECT_EQ(log->recovery().corruption->position, one_batch);
    EXPECT_EQ(log->recovery().corruption->reason, batch_problem::crc_mismatch);
    EXPECT_EQ(fs::file_size(segment_file()), 3 * one_batch) << "nothing may be cut mid-log";
    EXPECT_EQ(read_all(*log), expected_values(3));
    auto past = log->read(3, 1 << 20);
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.error().code(), status_code::corruption);
    auto appended = log->append(make_batch(0, 1));
    EXPECT_FALSE(appended.ok()) << "appends must be refused past corruption";
    log.reset();
    EXPECT_EQ(fs::file_size(segment_file()), 3 * one_batch) << "nor on a clean close";
}

TEST_F(partition_log_test, corruption_in_an_older_segment_is_not_cut_when_recovery_seals_it) {
    log_options o;
    o.segment_bytes = 1024;
    {
        auto log = open(o);
        write(*log, 20);
        ASSERT_GT(log->segment_count(), 1);
    }
    auto size = fs::file_size(segment_file());
    test::flip_byte(segment_file(), batch_header_size + 10);
    fs::remove(dir() / "recovery-point");  // as after a crash: every segment is scanned
    {
        auto log = open(o);
        ASSERT_TRUE(log->corrupt_offset().has_value());
        EXPECT_EQ(*log->corrupt_offset(), 0);
    }
    EXPECT_EQ(fs::file_size(segment_file()), size) << "nothing may be cut mid-log";
}

TEST_F(partition_log_test, flipped_byte_in_trusted_data_is_caught_on_read) {
    std::uint64_t one_batch = 0;
    {
        auto log = open();
        write(*log, 1);
        one_batch = log->size_bytes();
        write(*log, 2);
        ASSERT_TRUE(log->close().ok());
    }
    test::flip_byte(segment_file(), one_batch + batch_header_size + 10);
    auto log = open();
    EXPECT_FALSE(log->corrupt_offset().has_value());  // trusted on open, not scanned
    EXPECT_EQ(read_all(*log), expected_values(3));
    ASSERT_TRUE(log->corrupt_offset().has_value());
    EXPECT_EQ(*log->corrupt_offset(), 3);
    EXPECT_FALSE(log->read(4, 1 << 20).ok());
}

TEST_F(partition_log_test, flipped_length_field_mid_log_is_corruption_not_a_torn_tail) {
    std::uint64_t one_batch = 0;
    {
        auto log = open();
        write(*log, 1);
        one_batch = log->size_bytes();
        write(*log, 3);
    }
    auto size = fs::file_size(segment_file());
    test::flip_byte(segment_file(), one_batch + batch_field::batch_length + 2);
    auto log = open();
    ASSERT_TRUE(log->corrupt_offset().has_value());
    EXPECT_EQ(*log->corrupt_offset(), 3);
    EXPECT_EQ(fs::file_size(segment_file()), size) << "nothing may be cut mid-log";
}

TEST_F(partition_log_test, index_rebuilt_after_deletion_gives_the_same_reads) {
    log_options o;
    o.index_interval_bytes = 64;
    std::vector<std::vector<std::string>> before;
    {
        auto log = open(o);
        write(*log, 200, 2);
        for (offset_t at = 0; at < 400; at += 7) before.push_back(read_all(*log, at, 300));
        ASSERT_TRUE(log->close().ok());
    }
    ASSERT_TRUE(fs::remove(index_file()));
    fs::remove(dir() / recovery_point_file);
    auto log = open(o);
    EXPECT_TRUE(fs::exists(index_file()));
    EXPECT_GT(fs::file_size(index_file()), 16u);
    std::size_t i = 0;
    for (offset_t at = 0; at < 400; at += 7) EXPECT_EQ(read_all(*log, at, 300), before[i++]) << "from " << at;
}

TEST_F(partition_log_test, garbage_index_is_detected_and_rebuilt) {
    log_options o;
    o.index_interval_bytes = 64;
    {
        auto log = open(o);
        write(*log, 100, 2);
        ASSERT_TRUE(log->close().ok());
    }
    {
        std::string junk(16 * 5, '\x7f');
        fs::resize_file(index_file(), 0);
        test::append_bytes(index_file(), junk);
    }
    auto log = open(o);
    EXPECT_EQ(log->log_end_offset(), 200);
    EXPECT_EQ(read_all(*log, 151).front(), "value-151");
    EXPECT_EQ(read_all(*log), expected_values(200));
}

TEST_F(partition_log_test, rolls_segments_at_the_size_limit_and_reads_across_them) {
    log_options o;
    o.segment_bytes = 2048;
    {
        auto log = open(o);
        write(*log, 100);
        EXPECT_GT(log->segment_count(), 5);
        EXPECT_EQ(read_all(*log, 0, 700), expected_values(300));
        ASSERT_TRUE(log->close().ok());
    }
    auto log = open(o);
    EXPECT_EQ(read_all(*log, 0, 700), expected_values(300));
    for (const auto& e : fs::directory_iterator(dir()))
        if (e.path().extension() == log_suffix) {
            EXPECT_LE(fs::file_size(e.path()), 2048u);
        }
}

TEST_F(partition_log_test, retention_by_bytes_deletes_whole_oldest_segments) {
    log_options o;
    o.segment_bytes = 2048;
    auto log = open(o);
    write(*log, 100);
    auto before = log->segment_count();
    auto r = log->apply_retention(6000, -1, 0);
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->segments_deleted, 0);
    EXPECT_EQ(log->segment_count(), before - r->segments_deleted);
    EXPECT_LE(log->size_bytes(), 6000u);
    auto start = log->log_start_offset();
    EXPECT_GT(start, 0);
    EXPECT_FALSE(log->read(0, 100).ok());  // before the log start
    auto rest = read_all(*log, start);
    EXPECT_EQ(rest.front(), "value-" + std::to_string(start));
    EXPECT_EQ(rest.back(), "value-299");
}

TEST_F(partition_log_test, retention_by_age_keeps_the_active_segment) {
    log_options o;
    o.segment_bytes = 2048;
    auto log = open(o);
    write(*log, 50);  // timestamps 1000..1149
    auto r = log->apply_retention(-1, 10, 1'000'000);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(log->segment_count(), 1);
    EXPECT_EQ(read_all(*log, log->log_start_offset()).back(), "value-149");
    auto none = log->apply_retention(-1, 1'000'000, 1'000'000);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->segments_deleted, 0);
}

TEST_F(partition_log_test, empty_and_zero_filled_segment_files_open_as_empty_logs) {
    fs::create_directories(dir());
    test::append_bytes(segment_file(), "");
    {
        auto log = open();
        EXPECT_EQ(log->log_end_offset(), 0);
    }
    fs::remove_all(dir());
    fs::create_directories(dir());
    test::append_bytes(segment_file(), std::string(4096, '\0'));
    auto log = open();
    EXPECT_EQ(log->log_end_offset(), 0);
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    write(*log, 1);
    EXPECT_EQ(read_all(*log), expected_values(3));
}

// The start, durable and end offsets are read without the log's mutex
// (fetches ask for them on every read): while another thread appends,
// fsyncs, rolls and deletes segments, they only grow and stay in order.
TEST_F(partition_log_test, offsets_read_while_another_thread_writes_only_grow_and_stay_in_order) {
    log_options o;
    o.segment_bytes = 4096;
    auto log = open(o);
    ASSERT_TRUE(log);
    constexpr int appends = 600;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 0; i < appends; ++i) {
            EXPECT_TRUE(log->append(make_batch(log->log_end_offset(), 2)).ok());
            if (i % 10 == 9) {
                EXPECT_TRUE(log->sync(log->log_end_offset()).ok());
            }
            if (i % 100 == 99) {
                EXPECT_TRUE(log->apply_retention(16384, -1, 0).ok());
            }
        }
        done = true;
    });
    offset_t start = 0, durable = 0, end = 0;
    std::int64_t reads = 0;
    while (!done.load()) {  // ends with the writer's bounded loop
        // In this order, each bounds the next even as the writer moves on.
        auto s = log->log_start_offset();
        auto d = log->durable_offset();
        auto e = log->log_end_offset();
        EXPECT_LE(s, d);
        EXPECT_LE(d, e);
        EXPECT_GE(s, start);
        EXPECT_GE(d, durable);
        EXPECT_GE(e, end);
        start = s, durable = d, end = e;
        ++reads;
    }
    writer.join();
    EXPECT_GT(reads, 0);
    EXPECT_EQ(log->log_end_offset(), 2 * appends);
    EXPECT_EQ(log->durable_offset(), 2 * appends);
    EXPECT_GT(log->log_start_offset(), 0);  // retention deleted the oldest segments
}

// Made deterministic by holding the first fsync (of the first append alone)
// in flight, through the on_fsync hook, while the other appenders append
// and ask for a sync: all of them must then be answered by one more fsync,
// and none before an fsync that began after its append had finished.
TEST_F(partition_log_test, group_commit_shares_fsyncs_between_concurrent_appenders) {
    constexpr int appenders = 8, per_appender = 5, appends = 1 + appenders * per_appender;
    std::mutex mu;  // guards everything below up to `answers`
    std::condition_variable changed;
    int fsyncs_done = 0;
    bool first_held = false, released = false;
    std::vector<std::thread> syncers;
    struct answer {
        offset_t through;
        status s;
        offset_t durable;  // durable_offset() when answered
        int fsyncs_done;   // fsyncs finished when answered
    };
    std::vector<answer> answers;

    log_options o;
    o.run_blocking = [&](std::function<void()> job) {
        std::lock_guard lock(mu);
        syncers.emplace_back(std::move(job));
    };
    o.on_fsync = [&](std::chrono::nanoseconds) {
        std::unique_lock lock(mu);
        if (++fsyncs_done > 1) return;
        first_held = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
    };
    auto log = open(o);
    ASSERT_TRUE(log);
    std::vector<std::thread> pool;
    auto release = [&] {
        std::lock_guard lock(mu);
        released = true;
        changed.notify_all();
    };
    // Joins every thread however the test ends; syncers last, since only
    // they can still be running once the appenders are done.
    struct joiner {
        std::function<void()> f;
        ~joiner() { f(); }
    } join_all{[&] {
        release();
        for (auto& t : pool) t.join();
        std::vector<std::thread> done;
        {
            std::lock_guard lock(mu);
            done.swap(syncers);
        }
        for (auto& t : done) t.join();
    }};
    auto ask_sync = [&](offset_t through) {
        log->sync_async(through, [&, through](status s) {
            auto durable = log->durable_offset();
            std::lock_guard lock(mu);
            answers.push_back({through, s, durable, fsyncs_done});
            changed.notify_all();
        });
    };

    auto first = log->append(make_batch(0, 1));
    ASSERT_TRUE(first.ok());
    ask_sync(first->last_offset + 1);
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return first_held; }));
    }
    std::atomic<int> append_failures{0};
    for (int t = 0; t < appenders; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < per_appender; ++i) {
                auto r = log->append(make_batch(0, 1));
                if (r.ok()) ask_sync(r->last_offset + 1);
                else ++append_failures;
            }
        });
    for (auto& t : pool) t.join();
    pool.clear();
    EXPECT_EQ(append_failures.load(), 0);
    {
        std::lock_guard lock(mu);
        EXPECT_TRUE(answers.empty()) << "answered while the only fsync was still in flight";
    }
    release();
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return answers.size() == std::size_t{appends}; }))
            << answers.size() << " of " << appends << " syncs answered";
    }

    // Two fsyncs for 41 appends: the held one (the first append) and one
    // that covered all the others.
    EXPECT_EQ(log->sync_count(), 2);
    EXPECT_EQ(log->durable_offset(), appends);
    std::lock_guard lock(mu);
    for (const auto& a : answers) {
        EXPECT_TRUE(a.s.ok()) << a.s.to_string();
        EXPECT_GE(a.durable, a.through);
        EXPECT_GE(a.fsyncs_done, a.through == 1 ? 1 : 2) << "offset " << a.through - 1 << " answered before its fsync";
    }
}

// Two writers, each waiting for its answer before appending again: the one
// answered by an fsync comes back and shares the next with the other, which
// arrived during the first. The wait is far longer than the test's patience,
// so only the returning writer can start the second fsync.
TEST_F(partition_log_test, after_an_fsync_the_log_waits_for_the_writer_it_answered) {
    std::mutex mu;
    std::condition_variable changed;
    std::vector<int> answered_by;  // fsyncs done when each answer came, in order
    std::vector<std::thread> syncers;
    std::thread back;  // the first writer, appending again once answered
    std::function<void()> during_first_fsync;
    log_options o;
    o.gather = {.fraction = 1e9, .max_wait = std::chrono::seconds(20)};
    o.run_blocking = [&](std::function<void()> job) {
        std::lock_guard lock(mu);
        syncers.emplace_back(std::move(job));
    };
    o.on_fsync = [&](std::chrono::nanoseconds) {
        if (auto f = std::exchange(during_first_fsync, nullptr)) f();
    };
    auto log = open(o);
    ASSERT_TRUE(log);
    struct joiner {
        std::function<void()> f;
        ~joiner() { f(); }
    } join_all{[&] {  // outside `mu`, which the answers take
        for (;;) {
            std::vector<std::thread> threads;
            {
                std::lock_guard lock(mu);
                threads.swap(syncers);
                if (back.joinable()) threads.push_back(std::move(back));
            }
            if (threads.empty()) return;
            for (auto& t : threads) t.join();
        }
    }};
    auto ask_sync = [&](offset_t through, std::function<void()> then) {
        log->sync_async(through, [&, then](status s) {
            EXPECT_TRUE(s.ok()) << s.to_string();
            std::lock_guard lock(mu);
            answered_by.push_back(static_cast<int>(log->sync_count()));
            changed.notify_all();
            if (then) then();
        });
    };
    // The second writer arrives while the first one's fsync runs.
    during_first_fsync = [&] {
        auto b = log->append(make_batch(1, 1));
        ASSERT_TRUE(b.ok());
        ask_sync(b->last_offset + 1, nullptr);
    };
    auto a = log->append(make_batch(0, 1));
    ASSERT_TRUE(a.ok());
    ask_sync(a->last_offset + 1, [&] {
        back = std::thread([&] {
            auto r = log->append(make_batch(2, 1));
            ASSERT_TRUE(r.ok());
            ask_sync(r->last_offset + 1, nullptr);
        });
    });
    std::unique_lock lock(mu);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return answered_by.size() == 3; }))
        << answered_by.size() << " of 3 answered";
    EXPECT_EQ(answered_by, (std::vector<int>{1, 2, 2}));
    EXPECT_EQ(log->durable_offset(), 3);
}

// A lone writer is never held back, even with an unbounded wait.
TEST_F(partition_log_test, a_lone_writer_is_answered_without_a_gathering_wait) {
    log_options o;
    o.gather = {.fraction = 1e9, .max_wait = std::chrono::seconds(20)};
    std::vector<std::thread> syncers;
    std::mutex mu;
    o.run_blocking = [&](std::function<void()> job) {
        std::lock_guard lock(mu);
        syncers.emplace_back(std::move(job));
    };
    auto log = open(o);
    ASSERT_TRUE(log);
    for (int i = 0; i < 5; ++i) {
        auto r = log->append(make_batch(i, 1));
        ASSERT_TRUE(r.ok());
        std::promise<status> p;
        auto f = p.get_future();
        log->sync_async(r->last_offset + 1, [&p](status s) { p.set_value(std::move(s)); });
        ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "append " << i << " not answered";
        EXPECT_TRUE(f.get().ok());
    }
    EXPECT_EQ(log->sync_count(), 5);
    std::lock_guard lock(mu);
    for (auto& t : syncers) t.join();
}

// Logs share the broker's fsync pool. A log that always has a waiter when
// its fsync ends (a pipelining producer) must not keep the pool's thread
// from another log's fsync: each fsync job runs one and posts the next.
TEST_F(partition_log_test, a_log_never_without_a_waiter_lets_another_log_on_the_same_pool_fsync) {
    boost::asio::thread_pool pool(1);
    log_options o;
    o.gather.fraction = 0;
    o.run_blocking = [&pool](std::function<void()> job) { boost::asio::post(pool, std::move(job)); };
    auto busy = open(o);
    auto other = partition_log::open(tmp_.path() / "p1", o);
    ASSERT_TRUE(busy && other.ok());
    // Each answer of `busy` appends and waits again before its fsync loop
    // looks for waiters, until told to stop.
    std::atomic<bool> stop{false};
    std::atomic<int> busy_syncs{0};
    std::function<void(status)> again = [&](status) {
        ++busy_syncs;
        if (stop) return;
        auto r = busy->append(make_batch(0, 1));
        if (r.ok()) busy->sync_async(r->last_offset + 1, again);
    };
    auto first = busy->append(make_batch(0, 1));
    ASSERT_TRUE(first.ok());
    busy->sync_async(first->last_offset + 1, again);
    for (int i = 0; i < 1000 && busy_syncs < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto r = (*other)->append(make_batch(0, 1));
    ASSERT_TRUE(r.ok());
    std::promise<status> answered;
    auto f = answered.get_future();
    (*other)->sync_async(r->last_offset + 1, [&answered](status s) { answered.set_value(std::move(s)); });
    auto status_now = f.wait_for(std::chrono::seconds(5));
    auto busy_then = busy_syncs.load();
    stop = true;
    pool.join();
    EXPECT_EQ(status_now, std::future_status::ready) << "the other log waited 5 s while the busy one ran " << busy_then
                                                     << " fsyncs";
    EXPECT_GE(busy_then, 3);
}

TEST_F(partition_log_test, sync_async_runs_on_the_given_executor_and_tells_each_waiter) {
    std::vector<std::thread> workers;
    std::mutex mu;
    log_options o;
    o.run_blocking = [&](std::function<void()> job) {
        std::lock_guard lock(mu);
        workers.emplace_back(std::move(job));
    };
    auto log = open(o);
    std::atomic<int> done{0};
    for (int i = 0; i < 5; ++i) {
        auto r = log->append(make_batch(0, 2));
        ASSERT_TRUE(r.ok());
        log->sync_async(r->last_offset + 1, [&](status s) {
            EXPECT_TRUE(s.ok());
            ++done;
        });
    }
    for (int i = 0; i < 1000 && done.load() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    {
        std::lock_guard lock(mu);
        for (auto& w : workers) w.join();
    }
    EXPECT_EQ(done.load(), 5);
    EXPECT_EQ(log->durable_offset(), 10);
}

TEST_F(partition_log_test, read_respects_the_upper_bound_and_the_range) {
    auto log = open();
    write(*log, 4);
    auto r = log->read(0, 1 << 20, 6);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->next_offset, 6);
    auto at_end = log->read(12, 100);
    ASSERT_TRUE(at_end.ok());
    EXPECT_TRUE(at_end->data.empty());
    EXPECT_EQ(log->read(13, 100).error().code(), status_code::out_of_range);
    auto small = log->read(0, 1);  // at least one whole batch
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(small->next_offset, 3);
}

TEST_F(partition_log_test, truncate_to_cuts_a_divergent_tail_across_segments) {
    log_options o;
    o.segment_bytes = 1024;
    auto log = open(o);
    write(*log, 30);
    ASSERT_TRUE(log->truncate_to(30).ok());
    EXPECT_EQ(log->log_end_offset(), 30);
    EXPECT_FALSE(log->truncate_to(28).ok());  // not a batch boundary
    EXPECT_EQ(read_all(*log), expected_values(30));
    write(*log, 2);
    EXPECT_EQ(read_all(*log).size(), 36u);
    log.reset();
    auto reopened = open(o);
    EXPECT_EQ(reopened->log_end_offset(), 36);
}

// The last batches appended are found in memory (segment.h), older ones
// through the index: at every offset, a read starts at the batch holding
// it, at the same position as a reopened log (nothing in memory) finds.
TEST_F(partition_log_test, a_read_starts_at_the_batch_holding_its_offset_whether_recent_or_not) {
    auto positions = [](const partition_log& log) {
        std::vector<std::uint64_t> at;
        for (offset_t o = 0; o < log.log_end_offset(); ++o) {
            auto r = log.read(o, 1);
            EXPECT_TRUE(r.ok() && r->data.size() >= batch_header_size) << "offset " << o;
            if (!r.ok() || r->data.size() < batch_header_size) return at;
            auto h = decode_header(r->data.data());
            EXPECT_LE(h.base_offset, o);
            EXPECT_GT(h.next_offset(), o);
            auto range = log.read_range(o, 1, INT64_MAX);
            EXPECT_TRUE(range.ok());
            if (range.ok()) at.push_back(range->position);
        }
        return at;
    };
    auto append = [](partition_log& log, int batches) {
        for (int i = 0; i < batches; ++i)  // 1 to 4 records a batch, so batches are of several sizes
            ASSERT_TRUE(log.append(make_batch(log.log_end_offset(), 1 + i % 4)).ok());
    };
    std::vector<std::uint64_t> live;
    {
        auto log = open();
        append(*log, 50);  // more than a segment keeps in memory: 123 records
        positions(*log);   // checks every offset
        ASSERT_TRUE(log->truncate_to(116).ok());  // a boundary among the recent batches
        append(*log, 5);
        live = positions(*log);
        ASSERT_TRUE(log->close().ok());
    }
    auto reopened = open();
    EXPECT_EQ(live.size(), static_cast<std::size_t>(reopened->log_end_offset()));
    EXPECT_EQ(positions(*reopened), live);
}

// A follower cuts its tail while one of its fsyncs is in flight and appends
// the leader's batches there: that fsync began before them, so it must not
// make them durable (the invariant durable <= end held no more, either).
TEST_F(partition_log_test, an_fsync_in_flight_across_a_truncation_covers_nothing_appended_after_it) {
    partition_log* self = nullptr;
    bool armed = false;
    log_options o;
    o.on_fsync = [&](std::chrono::nanoseconds) {  // after the fsync, before it counts
        if (!armed) return;
        armed = false;
        EXPECT_TRUE(self->truncate_to(2).ok());
        EXPECT_TRUE(self->append(make_batch(100, 3)).ok());  // offsets 2..4
    };
    auto log = open(o);
    self = log.get();
    ASSERT_TRUE(log->append(make_batch(0, 2)).ok());
    ASSERT_TRUE(log->sync().ok());
    ASSERT_TRUE(log->append(make_batch(2, 8)).ok());  // offsets 2..9
    auto before = log->sync_count();
    armed = true;
    ASSERT_TRUE(log->sync(3).ok());
    EXPECT_EQ(log->log_end_offset(), 5);
    EXPECT_LE(log->durable_offset(), log->log_end_offset());
    EXPECT_EQ(log->sync_count(), before + 2);  // a second fsync covered offsets 2..4
}

TEST_F(partition_log_test, append_stamped_requires_the_next_offset) {
    auto log = open();
    batch_builder b;
    b.add(1, std::nullopt, "x");
    auto batch = b.finish(5);
    EXPECT_EQ(log->append_stamped(batch).error().code(), status_code::out_of_range);
    restamp(batch, 0, 1);
    ASSERT_TRUE(log->append_stamped(batch).ok());
    EXPECT_EQ(log->log_end_offset(), 1);
}

}  // namespace gafka::log

namespace gafka::log {
namespace {

// The bytes a file range names, read with pread as sendfile would send them.
std::string bytes_of(const file_range& r) {
    std::string out(r.length, '\0');
    auto n = ::pread(r.fd, out.data(), out.size(), static_cast<off_t>(r.position));
    EXPECT_EQ(n, static_cast<ssize_t>(r.length));
    return out;
}

class read_range_test : public partition_log_test {};

TEST_F(read_range_test, names_the_same_batches_read_copies_at_every_offset_and_size) {
    log_options small;
    small.segment_bytes = 4096;
    auto log = open(small);
    write(*log, 40);
    for (offset_t from = 0; from < log->log_end_offset(); from += 7)
        for (std::size_t max : {std::size_t{1}, std::size_t{200}, std::size_t{1000}, std::size_t{1} << 20}) {
            auto copy = log->read(from, max, INT64_MAX);
            auto range = log->read_range(from, max, INT64_MAX);
            ASSERT_TRUE(copy.ok() && range.ok());
            EXPECT_EQ(bytes_of(*range), copy->data) << from << " " << max;
            EXPECT_EQ(range->next_offset, copy->next_offset);
            // Batches of 3 records: those from the one holding `from` on.
            EXPECT_EQ(range->records, copy->next_offset - from / 3 * 3);
        }
}

TEST_F(read_range_test, stops_before_upto_and_is_empty_at_the_end) {
    auto log = open();
    write(*log, 4);
    auto r = log->read_range(0, 1 << 20, 6);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->next_offset, 6);
    EXPECT_EQ(r->records, 6);
    auto end = log->read_range(12, 1 << 20, INT64_MAX);
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(end->length, 0u);
    EXPECT_EQ(end->next_offset, 12);
    EXPECT_FALSE(log->read_range(13, 1 << 20, INT64_MAX).ok());
}

// Headers are read a window at a time (16 KiB): a run of small batches
// longer than a window is named whole, and damage past the first window is
// still found.
TEST_F(read_range_test, names_runs_of_small_batches_longer_than_a_header_window_and_checks_each_header) {
    std::uint64_t at_300 = 0;
    {
        auto log = open();
        write(*log, 400, 1);  // a small record each: over a window in all
        ASSERT_GT(log->size_bytes(), 16u << 10);
        for (offset_t from : {0, 1, 137, 299, 399}) {
            auto copy = log->read(from, 1 << 20, INT64_MAX);
            auto range = log->read_range(from, 1 << 20, INT64_MAX);
            ASSERT_TRUE(copy.ok() && range.ok());
            EXPECT_EQ(bytes_of(*range), copy->data) << from;
            EXPECT_EQ(range->next_offset, 400);
            EXPECT_EQ(range->records, 400 - from);
        }
        at_300 = log->read_range(300, 1, INT64_MAX)->position;
        ASSERT_GT(at_300, 16u << 10);
    }
    auto log = open();
    test::flip_byte(segment_file(), at_300 + batch_field::magic);
    auto before = log->read_range(0, 1 << 20, INT64_MAX);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->next_offset, 300) << "the batches before the damage are served";
    ASSERT_TRUE(log->corrupt_offset().has_value());
    EXPECT_EQ(*log->corrupt_offset(), 300);
}

TEST_F(read_range_test, a_damaged_header_is_refused_and_marks_the_log_corrupt_there) {
    std::uint64_t one_batch = 0;
    {
        auto log = open();
        write(*log, 1);
        one_batch = log->size_bytes();
        write(*log, 2);
    }
    auto log = open();
    // Damage the second batch's magic after recovery trusted it.
    test::flip_byte(segment_file(), one_batch + batch_field::magic);
    auto first = log->read_range(0, 1 << 20, INT64_MAX);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->next_offset, 3) << "the batch before the damage is served";
    auto bad = log->read_range(3, 1 << 20, INT64_MAX);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code(), status_code::corruption);
    ASSERT_TRUE(log->corrupt_offset().has_value());
    EXPECT_EQ(*log->corrupt_offset(), 3);
}

}  // namespace
}  // namespace gafka::log
