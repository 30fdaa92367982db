#pragma once
// A broker core (broker/core.h) on a real topic_manager, offsets store and
// replication state in a temporary data dir, for tests of what the
// protocol layers call; and running a coroutine to its end.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "gafka/broker/core.h"
#include "gafka/log/batch.h"
#include "test_support.h"

namespace gafka::test {

class core_fixture : public ::testing::Test {
protected:
    using flush_mode = broker::flush_policy::mode;

    // `flush` always: records are visible once fsynced; never: once written.
    void open(flush_mode flush = flush_mode::never, std::int32_t min_insync = 1) {
        replication::replication_options ro;
        ro.isr.min_insync = min_insync;
        auto repl = replication::replication_state::open(tmp_.path(), ro);
        ASSERT_TRUE(repl.ok()) << repl.error().to_string();
        repl_ = std::move(*repl);
        broker::flush_policy fp;
        fp.kind = flush;
        auto t = broker::topic_manager::open(tmp_.path(), 1, {}, fp, repl_.get());
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        topics_ = std::move(*t);
        groups_ = std::make_unique<broker::group_coordinator>(
            [](const std::string&) { return 0; },
            [](const std::string&, const broker::topic_partition&, log::offset_t) { return status{}; });
        auto o = broker::offsets_store::open(tmp_.path(), {});
        ASSERT_TRUE(o.ok()) << o.error().to_string();
        offsets_ = std::move(*o);
        core_ = std::make_unique<broker::core>(*topics_, *groups_, *offsets_);
        core_->repl = repl_.get();
    }
    void TearDown() override {
        core_.reset();
        if (offsets_) (void)offsets_->close();
        if (topics_) (void)topics_->close();
    }

    broker::partition& make_topic(const std::string& name, std::int32_t partitions = 1) {
        broker::topic_config c;
        c.partitions = partitions;
        auto t = topics_->create(name, c);
        EXPECT_TRUE(t.ok()) << t.error().to_string();
        return *(*t)->partitions[0];
    }
    broker::partition& part(const std::string& name, std::int32_t p = 0) {
        return *topics_->find(name)->partitions[static_cast<std::size_t>(p)];
    }

    // A batch of `records` values tag0, tag1, ... (idempotent with a producer id).
    static std::string batch(int records, const std::string& tag = "v", std::int64_t producer_id = -1,
                             std::int32_t sequence = -1) {
        log::batch_builder b;
        for (int i = 0; i < records; ++i) b.add(1000, std::nullopt, tag + std::to_string(i));
        return b.finish(0, 0, producer_id, sequence);
    }

    // Runs `a` to its end on a fresh io_context.
    template <typename T>
    T run(boost::asio::awaitable<T> a) {
        boost::asio::io_context io;
        std::optional<T> out;
        boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
            if (e) std::rethrow_exception(e);
            out = std::move(v);
        });
        io.run();
        return std::move(*out);
    }

    temp_dir tmp_;
    std::unique_ptr<replication::replication_state> repl_;
    std::unique_ptr<broker::topic_manager> topics_;
    std::unique_ptr<broker::group_coordinator> groups_;
    std::unique_ptr<broker::offsets_store> offsets_;
    std::unique_ptr<broker::core> core_;
};

}  // namespace gafka::test
