// A broker in-process (http::server over two io threads, fsyncs on a thread
// pool with group commit, flush policy always) with concurrent clients
// producing, consuming and committing group offsets. Its point is to run the
// broker's concurrent paths under ThreadSanitizer (scripts/test.sh runs the
// unit tests in a -DGAFKA_SANITIZE=thread build), and to check what each
// reader is promised: every acknowledged record read back once, in offset
// order, and a group that delivers every record at least once.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <rapidjson/document.h>

#include "gafka/broker/flush_policy.h"
#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/client/http_connection.h"
#include "gafka/http/context.h"
#include "gafka/http/server.h"
#include "test_support.h"

namespace gafka {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Where a record is: partition and offset.
using place = std::pair<int, std::int64_t>;

// The places of the records in a consume answer (one partition or a
// group's), in answer order; nothing when the body is not such an answer.
std::optional<std::vector<place>> record_places(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("records") || !d["records"].IsArray()) return std::nullopt;
    std::vector<place> out;
    for (const auto& r : d["records"].GetArray()) {
        if (!r.IsObject() || !r.HasMember("partition") || !r["partition"].IsInt() || !r.HasMember("offset") ||
            !r["offset"].IsInt64())
            return std::nullopt;
        out.emplace_back(r["partition"].GetInt(), r["offset"].GetInt64());
    }
    return out;
}

class broker_concurrency_test : public ::testing::Test {
protected:
    void SetUp() override {
        log::log_options lo;
        lo.run_blocking = [this](std::function<void()> job) { asio::post(fsync_pool_, std::move(job)); };
        broker::flush_policy flush;  // always: acks wait for group-committed fsyncs
        auto t = broker::topic_manager::open(tmp_.path(), 1, lo, flush);
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        topics_ = std::move(*t);
        auto o = broker::offsets_store::open(tmp_.path(), lo);
        ASSERT_TRUE(o.ok()) << o.error().to_string();
        offsets_ = std::move(*o);
        groups_ = std::make_unique<broker::group_coordinator>(
            [this](const std::string& topic) {
                auto found = topics_->find(topic);
                return found ? static_cast<std::int32_t>(found->partitions.size()) : 0;
            },
            [this](const std::string& group, const broker::topic_partition& tp, log::offset_t offset) {
                auto r = offsets_->append(group, tp, offset);
                return r.ok() ? status{} : r.error();
            });
        core_ = std::make_unique<broker::core>(*topics_, *groups_, *offsets_);
        ctx_ = std::make_unique<http::server_context>(*core_);
        for (int i = 0; i < 2; ++i) {
            ios_.push_back(std::make_unique<asio::io_context>(1));
            io_ptrs_.push_back(ios_.back().get());
            guards_.emplace_back(ios_.back()->get_executor());
        }
        server_ = std::make_unique<http::server>(io_ptrs_, *ctx_, http::server_limits{});
        auto s = server_->listen("127.0.0.1", 0);
        ASSERT_TRUE(s.ok()) << s.to_string();
        server_->start();
        for (auto* io : io_ptrs_) threads_.emplace_back([io] { io->run(); });
    }

    void TearDown() override {
        if (server_) asio::post(*ios_[0], [this] { server_->stop(); });
        guards_.clear();
        for (auto& io : ios_) io->stop();
        for (auto& t : threads_) t.join();
        server_.reset();
        ios_.clear();
        fsync_pool_.join();
        if (topics_) (void)topics_->close();
        if (offsets_) (void)offsets_->close();
    }

    std::uint16_t port() const { return server_->port(); }

    test::temp_dir tmp_;
    asio::thread_pool fsync_pool_{2};
    std::unique_ptr<broker::topic_manager> topics_;
    std::unique_ptr<broker::offsets_store> offsets_;
    std::unique_ptr<broker::group_coordinator> groups_;
    std::unique_ptr<broker::core> core_;
    std::unique_ptr<http::server_context> ctx_;
    std::vector<std::unique_ptr<asio::io_context>> ios_;
    std::vector<asio::io_context*> io_ptrs_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::unique_ptr<http::server> server_;
    std::vector<std::thread> threads_;
};

// Producers, plain readers and a group of two members at once. The group's
// claim, from how the coordinator works: at least once, and twice only
// where a rebalance explains it. A member's fetch commits its previous
// batch, so a member reads each partition it owns on from where it left
// off: no repeat, no gap. Two members join once each, so the group
// rebalances once after the second joins, and one partition moves; the old
// owner's last batch of it is committed on its next fetch, and the new
// owner reads from there (that batch is "revoking" meanwhile). Only that
// batch, at most `fetch_count` records of the partition that moved, may
// reach both members: when the old owner's commit races the move, the
// new owner reads it again. A group fetch without an assignor is never a
// conflict (409 is for a member naming another assignor than the group's),
// so every group fetch here must answer 200.
TEST_F(broker_concurrency_test, concurrent_producers_readers_and_group_members_see_every_record) {
    constexpr int producers = 3, batches = 10, per_batch = 5, partitions = 2, members = 2, fetch_count = 5;
    constexpr std::size_t total = producers * batches * per_batch;
    client::http_connection admin("127.0.0.1", port());
    auto created = admin.request("POST", "/api/v1/topics", R"({"name":"t","partitions":2})", "application/json", 10s);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    ASSERT_EQ(created->status, 201u) << created->body;

    std::atomic<int> failures{0}, producers_done{0};
    auto fail = [&](const std::string& what) {
        ++failures;
        ADD_FAILURE() << what;
    };
    std::vector<std::thread> clients;
    for (int p = 0; p < producers; ++p) {
        clients.emplace_back([&, p] {
            client::http_connection c("127.0.0.1", port());
            for (int b = 0; b < batches; ++b) {
                std::string body = R"({"topic":"t","records":[)";
                for (int i = 0; i < per_batch; ++i) {
                    if (i) body += ',';
                    body += R"({"partition":)" + std::to_string((p + i) % partitions) + R"(,"value":"p)" +
                            std::to_string(p) + "-" + std::to_string(b * per_batch + i) + R"("})";
                }
                body += "]}";
                auto r = c.request("POST", "/api/v1/produce", body, "application/json", 10s);
                if (!r.ok() || r->status != 200) fail("produce: " + (r.ok() ? r->body : r.error().to_string()));
            }
            ++producers_done;
        });
    }
    // Plain readers of one partition each: whatever they get starts at the
    // asked offset and is dense.
    for (int m = 0; m < partitions; ++m) {
        clients.emplace_back([&, m] {
            client::http_connection c("127.0.0.1", port());
            for (int i = 0; i < 10; ++i) {
                auto r = c.request("GET", "/api/v1/consume?topic=t&partition=" + std::to_string(m) + "&offset=0", "",
                                   "", 10s);
                auto got = r.ok() && r->status == 200 ? record_places(r->body) : std::nullopt;
                if (!got) fail("consume: " + (r.ok() ? r->body : r.error().to_string()));
                else
                    for (std::size_t k = 0; k < got->size(); ++k)
                        if ((*got)[k] != place{m, static_cast<std::int64_t>(k)}) fail("consume out of order: " + r->body);
                auto metrics = c.request("GET", "/metrics", "", "", 10s);
                if (!metrics.ok() || metrics->status != 200) fail("metrics");
            }
        });
    }
    // The group's members, each fetching until the group has every record.
    std::mutex seen_mu;
    std::set<place> group_seen;
    auto group_has_all = [&] {
        std::lock_guard lock(seen_mu);
        return group_seen.size() == total;
    };
    std::array<std::map<int, std::vector<std::int64_t>>, members> received;  // per member, partition: offsets in order
    for (int m = 0; m < members; ++m) {
        clients.emplace_back([&, m] {
            client::http_connection c("127.0.0.1", port());
            auto id = "c" + std::to_string(m);
            auto fetch = "/api/v1/consume?topic=t&group_id=g&consumer_id=" + id +
                         "&count=" + std::to_string(fetch_count) + "&timeout=50ms";
            // At least one fetch each, so both join and the group rebalances.
            // Once the producers are done, a long run of empty answers means
            // the group will never have it all: stop and let the checks say so.
            int empty_after_producers = 0;
            for (int i = 0; i < 1000 && failures == 0 && empty_after_producers < 100 && (i == 0 || !group_has_all());
                 ++i) {
                auto r = c.request("GET", fetch, "", "", 10s);
                auto got = r.ok() && r->status == 200 ? record_places(r->body) : std::nullopt;
                if (!got) return fail("group consume: " + (r.ok() ? r->body : r.error().to_string()));
                for (const auto& [partition, offset] : *got) received[m][partition].push_back(offset);
                {
                    std::lock_guard lock(seen_mu);
                    group_seen.insert(got->begin(), got->end());
                }
                auto s = c.request("GET", "/api/v1/consumer-groups/g/status", "", "", 10s);
                if (!s.ok() || s->status != 200 || s->body.find("\"consumer_id\":\"" + id + "\"") == std::string::npos)
                    return fail("group status without " + id + ": " + (s.ok() ? s->body : s.error().to_string()));
                // Nothing to read yet (or its partition is still being handed
                // over, which answers at once): poll again shortly.
                if (!got->empty()) empty_after_producers = 0;
                else if (producers_done == producers) ++empty_after_producers;
                if (got->empty()) std::this_thread::sleep_for(2ms);
            }
        });
    }
    for (auto& t : clients) t.join();
    ASSERT_EQ(failures.load(), 0);

    // Every acknowledged record once, offsets dense per partition.
    std::set<std::string> values;
    std::array<std::int64_t, partitions> log_end{};
    for (int partition = 0; partition < partitions; ++partition) {
        auto r = admin.request("GET", "/api/v1/consume?topic=t&partition=" + std::to_string(partition) +
                                          "&offset=0&count=10000",
                               "", "", 10s);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r->status, 200u) << r->body;
        rapidjson::Document d;
        d.Parse(r->body.c_str());
        ASSERT_FALSE(d.HasParseError()) << r->body;
        ASSERT_TRUE(d.HasMember("records")) << r->body;
        std::int64_t expected = 0;
        for (const auto& rec : d["records"].GetArray()) {
            EXPECT_EQ(rec["offset"].GetInt64(), expected++);
            EXPECT_TRUE(values.insert(rec["value"].GetString()).second) << rec["value"].GetString();
        }
        log_end[static_cast<std::size_t>(partition)] = expected;
    }
    EXPECT_EQ(values.size(), total);

    // The group: every record reached a member.
    for (int partition = 0; partition < partitions; ++partition)
        for (std::int64_t offset = 0; offset < log_end[static_cast<std::size_t>(partition)]; ++offset)
            EXPECT_TRUE(group_seen.count({partition, offset})) << "the group never got " << partition << "@" << offset;
    // Each member read each partition on from where it started, no repeat,
    // no gap.
    for (int m = 0; m < members; ++m)
        for (const auto& [partition, offsets] : received[m])
            for (std::size_t k = 1; k < offsets.size(); ++k)
                EXPECT_EQ(offsets[k], offsets[k - 1] + 1) << "member c" << m << ", partition " << partition;
    // Both members read only the partition that moved, and only its
    // revoking batch twice.
    int shared_partitions = 0;
    std::size_t twice = 0;
    for (int partition = 0; partition < partitions; ++partition) {
        const auto& a = received[0][partition];
        const auto& b = received[1][partition];
        if (a.empty() || b.empty()) continue;
        ++shared_partitions;
        std::set<std::int64_t> first(a.begin(), a.end());
        for (auto offset : b) twice += first.count(offset);
    }
    EXPECT_LE(shared_partitions, 1);
    EXPECT_LE(twice, static_cast<std::size_t>(fetch_count));
    // One rebalance after the second member joined: generation 2.
    auto status = admin.request("GET", "/api/v1/consumer-groups/g/status", "", "", 10s);
    ASSERT_TRUE(status.ok() && status->status == 200u);
    rapidjson::Document g;
    g.Parse(status->body.c_str());
    ASSERT_TRUE(g.IsObject() && g.HasMember("generation")) << status->body;
    EXPECT_EQ(g["generation"].GetInt(), 2) << status->body;
}

// HTTP/1.1 pipelining: more requests in flight on one connection than the
// broker reads ahead (16), answered in order, each idempotent batch appended
// once and in order (a batch appended out of order would be refused as a
// gap, 409).
TEST_F(broker_concurrency_test, pipelined_idempotent_batches_are_appended_in_order_and_answered_in_order) {
    constexpr int batches = 40, per_batch = 5;
    client::http_connection c("127.0.0.1", port());
    auto created = c.request("POST", "/api/v1/topics", R"({"name":"t","partitions":1})", "application/json", 10s);
    ASSERT_TRUE(created.ok() && created->status == 201u);
    auto id = c.request("POST", "/api/v1/producers", "", "", 10s);
    ASSERT_TRUE(id.ok() && id->status == 200u);
    rapidjson::Document d;
    d.Parse(id->body.c_str());
    auto pid = std::to_string(d["producer_id"].GetInt64());
    for (int b = 0; b < batches; ++b) {
        std::string body = R"({"topic":"t","records":[)";
        for (int i = 0; i < per_batch; ++i)
            body += (i ? "," : "") + (R"({"partition":0,"value":"v)" + std::to_string(b * per_batch + i) + R"("})");
        body += "]}";
        auto target = "/api/v1/produce?producer_id=" + pid + "&sequence=" + std::to_string(b * per_batch);
        ASSERT_TRUE(c.send({"POST", target, body, "application/json"}, 10s).ok());
    }
    EXPECT_EQ(c.outstanding(), static_cast<std::size_t>(batches));
    for (int b = 0; b < batches; ++b) {
        auto r = c.receive(10s);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        ASSERT_EQ(r->status, 200u) << "batch " << b << ": " << r->body;
        rapidjson::Document a;
        a.Parse(r->body.c_str());
        ASSERT_TRUE(a.HasMember("offsets")) << r->body;
        EXPECT_FALSE(a.HasMember("duplicate")) << r->body;
        EXPECT_EQ(a["offsets"][0]["offset"].GetInt64(), b * per_batch) << r->body;
    }
    auto all = c.request("GET", "/api/v1/consume?topic=t&partition=0&offset=0&count=1000", "", "", 10s);
    ASSERT_TRUE(all.ok() && all->status == 200u);
    rapidjson::Document read;
    read.Parse(all->body.c_str());
    ASSERT_EQ(read["records"].Size(), static_cast<rapidjson::SizeType>(batches * per_batch));
    for (rapidjson::SizeType i = 0; i < read["records"].Size(); ++i)
        EXPECT_EQ(read["records"][i]["value"].GetString(), "v" + std::to_string(i));
}

// Requests behind a long poll on the same connection are handled while it
// waits (the produce behind it is what ends it), and answered after it.
TEST_F(broker_concurrency_test, pipelined_answers_keep_request_order_behind_a_long_poll) {
    client::http_connection c("127.0.0.1", port());
    auto created = c.request("POST", "/api/v1/topics", R"({"name":"t","partitions":1})", "application/json", 10s);
    ASSERT_TRUE(created.ok() && created->status == 201u);
    ASSERT_TRUE(c.send({"GET", "/api/v1/consume?topic=t&partition=0&offset=0&timeout=10s", "", ""}, 10s).ok());
    ASSERT_TRUE(c.send({"GET", "/healthz", "", ""}, 10s).ok());
    ASSERT_TRUE(c.send({"POST", "/api/v1/produce", R"({"topic":"t","value":"late"})", "application/json"}, 10s).ok());
    ASSERT_TRUE(c.send({"GET", "/no/such/route", "", ""}, 10s).ok());
    auto poll = c.receive(10s);
    ASSERT_TRUE(poll.ok());
    EXPECT_EQ(poll->status, 200u);
    EXPECT_NE(poll->body.find("\"value\":\"late\""), std::string::npos) << poll->body;
    auto health = c.receive(10s);
    ASSERT_TRUE(health.ok());
    EXPECT_EQ(health->status, 200u);
    auto produced = c.receive(10s);
    ASSERT_TRUE(produced.ok());
    EXPECT_EQ(produced->status, 200u) << produced->body;
    EXPECT_NE(produced->body.find("\"offset\":0"), std::string::npos) << produced->body;
    auto missing = c.receive(10s);
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->status, 404u);
    EXPECT_EQ(c.outstanding(), 0u);
    auto again = c.request("GET", "/healthz", "", "", 10s);  // the connection goes on
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 200u);
}

}  // namespace
}  // namespace gafka
