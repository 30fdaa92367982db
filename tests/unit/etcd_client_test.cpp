// etcd_client against a real etcd (skipped when /usr/bin/etcd is missing):
// one node on free loopback ports with a fresh data dir, for the suite.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include "gafka/cluster/etcd_client.h"
#include "gafka/cluster/assignment.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

namespace gafka::cluster {
namespace {
namespace asio = boost::asio;
using std::chrono::milliseconds;

std::uint16_t free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

class etcd_client_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists("/usr/bin/etcd")) return;
        dir_ = new test::temp_dir();
        port_ = free_port();
        auto peer = free_port();
        auto client_url = "http://127.0.0.1:" + std::to_string(port_);
        auto peer_url = "http://127.0.0.1:" + std::to_string(peer);
        auto data = (dir_->path() / "etcd").string();
        auto cluster = "default=" + peer_url;
        pid_ = fork();
        if (pid_ == 0) {
            setsid();
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            execl("/usr/bin/etcd", "etcd", "--data-dir", data.c_str(), "--listen-client-urls", client_url.c_str(),
                  "--advertise-client-urls", client_url.c_str(), "--listen-peer-urls", peer_url.c_str(),
                  "--initial-advertise-peer-urls", peer_url.c_str(), "--initial-cluster", cluster.c_str(),
                  "--heartbeat-interval", "20", "--election-timeout", "100", static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    static void TearDownTestSuite() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
            pid_ = 0;
        }
        delete dir_;
        dir_ = nullptr;
    }

    etcd_client client(std::vector<util::host_port> endpoints = {}, milliseconds timeout = milliseconds(2000)) {
        if (endpoints.empty()) endpoints = {{"127.0.0.1", port_}};
        return etcd_client(io_.get_executor(), std::move(endpoints), timeout);
    }

    // Runs the coroutine `f()` to its end on io_.
    template <class F>
    auto run(F f) {
        io_.restart();
        auto done = asio::co_spawn(io_, f(), asio::use_future);
        io_.run();
        return done.get();
    }

    void SetUp() override {
        if (pid_ <= 0) GTEST_SKIP() << "etcd is not installed";
        // Healthy within a few seconds: poll a read, bounded.
        for (int i = 0; i < 100; ++i) {
            auto c = client();
            if (run([&]() -> asio::awaitable<bool> {
                    const range_request any{"/", ""};
                    co_return (co_await c.range(any)).ok();
                }))
                return;
            std::this_thread::sleep_for(milliseconds(50));
        }
        FAIL() << "etcd did not answer on port " << port_;
    }

    static inline pid_t pid_ = 0;
    static inline std::uint16_t port_ = 0;
    static inline test::temp_dir* dir_ = nullptr;
    asio::io_context io_;
};

TEST_F(etcd_client_test, puts_reads_a_prefix_and_deletes) {
    auto c = client();
    auto got = run([&]() -> asio::awaitable<range_response> {
        const put_request a{"/p1/a", "1", 0}, b{"/p1/b", std::string("\0\xff", 2), 0}, other{"/p10", "x", 0};
        EXPECT_TRUE((co_await c.put(a)).ok());
        EXPECT_TRUE((co_await c.put(b)).ok());
        EXPECT_TRUE((co_await c.put(other)).ok());
        const range_request gone{"/p1/a", ""};
        EXPECT_TRUE((co_await c.remove(gone)).ok());
        const range_request prefix{"/p1/", prefix_end("/p1/")};
        co_return (co_await c.range(prefix)).value();
    });
    ASSERT_EQ(got.kvs.size(), 1u);
    EXPECT_EQ(got.kvs[0].key, "/p1/b");
    EXPECT_EQ(got.kvs[0].value, std::string("\0\xff", 2));  // binary-safe through base64
    EXPECT_GT(got.revision, 0);
}

TEST_F(etcd_client_test, txn_compares_create_and_mod_revision_and_value) {
    auto c = client();
    run([&]() -> asio::awaitable<void> {
        txn_request create;
        create.compares.push_back({compare::target::create_revision, "/t/k", 0, {}});
        create.success.push_back({txn_op::kind::put, "/t/k", "v1", 0, {}});
        create.failure.push_back({txn_op::kind::range, "/t/k", {}, 0, {}});
        auto first = (co_await c.txn(create)).value();
        EXPECT_TRUE(first.succeeded);
        auto second = (co_await c.txn(create)).value();
        EXPECT_FALSE(second.succeeded);  // the gateway leaves `succeeded` out
        EXPECT_EQ(second.ranges.at(0).at(0).create_revision, first.revision);

        txn_request cas;
        cas.compares.push_back({compare::target::mod_revision, "/t/k", first.revision, {}});
        cas.compares.push_back({compare::target::value, "/t/k", 0, "v1"});
        cas.success.push_back({txn_op::kind::put, "/t/k", "v2", 0, {}});
        EXPECT_TRUE((co_await c.txn(cas)).value().succeeded);
        EXPECT_FALSE((co_await c.txn(cas)).value().succeeded);  // the mod revision moved on
        const range_request k{"/t/k", ""};
        EXPECT_EQ((co_await c.range(k)).value().kvs.at(0).value, "v2");
    });
}

// The controller's writes (assignment.h) as etcd takes them: a deposed
// controller's epoch and a stale partition revision are both refused.
TEST_F(etcd_client_test, topic_writes_need_the_current_controller_epoch_and_partition_updates_the_revision) {
    auto c = client();
    run([&]() -> asio::awaitable<void> {
        const cluster_keys k("fence");
        txn_request campaign;
        campaign.compares.push_back({compare::target::create_revision, k.controller, 0, {}});
        campaign.success.push_back({txn_op::kind::put, k.controller, encode_controller(1), 0, {}});
        const auto old_epoch = (co_await c.txn(campaign)).value().revision;
        auto parts = assign_replicas({1, 2, 3}, 2, 3, 0).value();
        const auto first = create_topic_txn(k, "a", {2, 3}, parts, old_epoch);
        EXPECT_TRUE((co_await c.txn(first)).value().succeeded);
        EXPECT_FALSE((co_await c.txn(first)).value().succeeded) << "the topic exists";

        // Controller 1 is replaced by controller 2.
        const range_request ck{k.controller, ""};
        EXPECT_TRUE((co_await c.remove(ck)).ok());
        const auto new_epoch = (co_await c.txn(campaign)).value().revision;
        EXPECT_GT(new_epoch, old_epoch);
        const auto stale = create_topic_txn(k, "b", {2, 3}, parts, old_epoch);
        auto refused = (co_await c.txn(stale)).value();
        EXPECT_FALSE(refused.succeeded);
        EXPECT_EQ(refused.ranges.at(0).at(0).create_revision, new_epoch);
        EXPECT_TRUE(refused.ranges.at(1).empty()) << "b was not written";
        const auto fresh = create_topic_txn(k, "b", {2, 3}, parts, new_epoch);
        EXPECT_TRUE((co_await c.txn(fresh)).value().succeeded);

        const range_request pk{partition_key(k, "a", 0), ""};
        const auto at = (co_await c.range(pk)).value().kvs.at(0).mod_revision;
        partition_state next = parts[0];
        next.isr = {next.leader};
        next.controller_epoch = new_epoch;
        const auto by_old = update_partition_txn(k, "a", 0, next, at, old_epoch);
        EXPECT_FALSE((co_await c.txn(by_old)).value().succeeded);
        const auto cas = update_partition_txn(k, "a", 0, next, at, new_epoch);
        EXPECT_TRUE((co_await c.txn(cas)).value().succeeded);
        EXPECT_FALSE((co_await c.txn(cas)).value().succeeded) << "the mod revision moved on";
        auto now = decode_partition((co_await c.range(pk)).value().kvs.at(0).value).value();
        EXPECT_EQ(now.isr, std::vector<std::int32_t>{next.leader});
    });
}

TEST_F(etcd_client_test, a_lease_keeps_its_keys_until_revoked) {
    auto c = client();
    run([&]() -> asio::awaitable<void> {
        auto lease = (co_await c.lease_grant(5)).value();
        EXPECT_GE(lease.ttl_seconds, 5);
        const put_request p{"/l/k", "v", lease.id};
        EXPECT_TRUE((co_await c.put(p)).ok());
        EXPECT_GT((co_await c.lease_keepalive(lease.id, milliseconds(2000))).value(), 0);
        EXPECT_TRUE((co_await c.lease_revoke(lease.id, milliseconds(2000))).ok());
        const range_request k{"/l/k", ""};
        EXPECT_TRUE((co_await c.range(k)).value().kvs.empty());
        EXPECT_EQ((co_await c.lease_keepalive(lease.id, milliseconds(2000))).value(), 0);  // gone: no TTL
        auto again = co_await c.lease_revoke(lease.id, milliseconds(2000));
        EXPECT_EQ(again.code(), status_code::unavailable);
        EXPECT_NE(again.message().find("lease not found"), std::string::npos) << again.message();
    });
}

TEST_F(etcd_client_test, a_watch_streams_puts_and_deletes_of_a_prefix) {
    auto c = client();
    run([&]() -> asio::awaitable<void> {
        const range_request prefix{"/w/", prefix_end("/w/")};
        auto at = (co_await c.range(prefix)).value().revision;
        auto w = (co_await c.watch(prefix, at + 1)).value();
        const put_request p{"/w/x", "1", 0};
        EXPECT_TRUE((co_await c.put(p)).ok());
        const range_request x{"/w/x", ""};
        EXPECT_TRUE((co_await c.remove(x)).ok());
        std::vector<watch_event> events;
        while (events.size() < 2) {
            auto got = co_await w->next();
            if (!got.ok()) {
                ADD_FAILURE() << got.error().message();
                co_return;
            }
            for (auto& e : got->events) events.push_back(e);
        }
        EXPECT_FALSE(events[0].deleted);
        EXPECT_EQ(events[0].kv.value, "1");
        EXPECT_TRUE(events[1].deleted);
        EXPECT_EQ(events[1].kv.key, "/w/x");
    });
}

TEST_F(etcd_client_test, a_watch_from_a_compacted_revision_is_cancelled_with_the_compact_revision) {
    auto c = client();
    auto compacted_to = run([&]() -> asio::awaitable<revision_t> {
        const put_request p{"/cw/k", "v", 0};
        revision_t last = 0;
        for (int i = 0; i < 3; ++i) last = (co_await c.put(p)).value();
        co_return last;
    });
    auto cmd = "ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:" + std::to_string(port_) + " compact " +
               std::to_string(compacted_to) + " >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    run([&]() -> asio::awaitable<void> {
        const range_request prefix{"/cw/", prefix_end("/cw/")};
        auto w = (co_await c.watch(prefix, 1)).value();
        auto got = (co_await w->next()).value();
        EXPECT_TRUE(got.canceled);
        EXPECT_EQ(got.compact_revision, compacted_to);
    });
}

TEST_F(etcd_client_test, an_endpoint_that_refuses_is_skipped_for_the_next) {
    auto c = client({{"127.0.0.1", free_port()}, {"127.0.0.1", port_}});
    auto ok = run([&]() -> asio::awaitable<bool> {
        const range_request any{"/", ""};
        co_return (co_await c.range(any)).ok();
    });
    EXPECT_TRUE(ok);
}

TEST_F(etcd_client_test, a_member_that_never_answers_times_out) {
    asio::io_context other;
    asio::ip::tcp::acceptor silent(other, {asio::ip::make_address("127.0.0.1"), 0});  // listens, never reads
    auto c = client({{"127.0.0.1", silent.local_endpoint().port()}}, milliseconds(300));
    auto start = std::chrono::steady_clock::now();
    auto r = run([&]() -> asio::awaitable<status> {
        const range_request any{"/", ""};
        auto got = co_await c.range(any);
        co_return got.ok() ? status{} : got.error();
    });
    EXPECT_EQ(r.code(), status_code::unavailable);
    EXPECT_NE(r.message().find("timed out"), std::string::npos) << r.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
}

}  // namespace
}  // namespace gafka::cluster
