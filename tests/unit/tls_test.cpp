// TLS: the contexts made from the broker's and the programs' flags
// (tls/context, server::apply_tls_flags), and client_stream against an
// in-process http::server serving HTTPS: what is accepted, and what each
// refusal says. The PEM files below were made once with openssl (EC P-256,
// valid for 100 years): a CA, a server certificate for IP 127.0.0.1 signed
// by it, and an unrelated CA.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/client/http_connection.h"
#include "gafka/http/context.h"
#include "gafka/http/server.h"
#include "gafka/server/broker.h"
#include "gafka/tls/context.h"
#include "test_support.h"

namespace gafka {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr const char* ca_pem = R"(-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUI2cDc8rWoeLL62aX9oSN1ybFHpMwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNZ2Fma2EgdGVzdCBDQTAgFw0yNjExMjMxNTU4MjJaGA8yMTI2
MTAzMDE1NTgyMlowGDEWMBQGA1UEAwwNZ2Fma2EgdGVzdCBDQTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABHlU1zASyP3VdzH1L7UX1ZI7I6dpRhdQ4w0Dvh8b0vhi
nzaq+QBhBOEcwV3Vu+Qcgzx6JLQz6pv7NYPEGzoWkEujUzBRMB0GA1UdDgQWBBQh
L0j+ISs6CHx6nGf5ckR62VbzBjAfBgNVHSMEGDAWgBQhL0j+ISs6CHx6nGf5ckR6
2VbzBjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIG+jc43drBJp
Cssx9wsoLYmmA86xYwMV4u1KNS3VHNRFAiEAtWqNOTjWRvJSp8JHnx6oHK7DG3VD
5v2/A8Bibr+LX3A=
-----END CERTIFICATE-----
)";
constexpr const char* server_cert_pem = R"(-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIURePlz0TTvvnyX5AbGWXsuCabTKEwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNZ2Fma2EgdGVzdCBDQTAgFw0yNjExMjMxNTU4MjNaGA8yMTI2
MTAzMDE1NTgyM1owFDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEXm527gwEKC1/4KCKNe7EFZRWhFDqYbyqdSWrm27vWMyzBVtB
+jggPvggdzeyAvanipkbIbIKy5eal/tYr6Kn8KNTMFEwDwYDVR0RBAgwBocEfwAA
ATAdBgNVHQ4EFgQUPh6t44rtNBXN19ufQee8tG2+8YcwHwYDVR0jBBgwFoAUIS9I
/iErOgh8epxn+XJEetlW8wYwCgYIKoZIzj0EAwIDSAAwRQIgE0XB9ySOTqtUrTn8
1Cotahdd4+ztry68GF5RPbQ6+gkCIQD1G6X2svvdb0K/AMNKnDLk81voGgbSeD/8
PJzzt8eifA==
-----END CERTIFICATE-----
)";
constexpr const char* server_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFzRc+1TZZfvPG4Xc
rYGeqNP+wNfBdoeTv4f8SEKyx56hRANCAARebnbuDAQoLX/goIo17sQVlFaEUOph
vKp1Jaubbu9YzLMFW0H6OCA++CB3N7IC9qeKmRshsgrLl5qX+1ivoqfw
-----END PRIVATE KEY-----
)";
constexpr const char* other_ca_pem = R"(-----BEGIN CERTIFICATE-----
MIIBgjCCASegAwIBAgIUbTRVzo5LxUga0gHshEKJJFAXJE8wCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKYW5vdGhlciBDQTAgFw0yNjExMjMxNTU4MjNaGA8yMTI2MTAz
MDE1NTgyM1owFTETMBEGA1UEAwwKYW5vdGhlciBDQTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABHeVrX46+cKScRjdbMEZOxdYodRAKFJzDYabY16dEM+PNboBilvW
YAlrlEUt84fnJwypT6GjP2LwbY+0RXQ3tv2jUzBRMB0GA1UdDgQWBBRKKELTjy35
wDQ6lXO3VeCRVOpYtDAfBgNVHSMEGDAWgBRKKELTjy35wDQ6lXO3VeCRVOpYtDAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQD7IdhI/35+0lYDCcHY
JgiK6VLnv0EMgfxSUP+VHPvV5AIhAPJ0fUj0xn15Zuizhun/nI0tkb3BY7/fuJE6
jJAYmldc
-----END CERTIFICATE-----
)";
constexpr const char* other_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqGEca1XfwmyImHhE
uGhFY0LsRP447Bi6H3mj44WRh6ahRANCAAR3la1+OvnCknEY3WzBGTsXWKHUQChS
cw2Gm2NenRDPjzW6AYpb1mAJa5RFLfOH5ycMqU+hoz9i8G2PtEV0N7b9
-----END PRIVATE KEY-----
)";

class tls_test : public ::testing::Test {
protected:
    std::string write(const std::string& name, const std::string& text) {
        auto path = (tmp_.path() / name).string();
        std::ofstream(path) << text;
        return path;
    }
    std::string ca() { return write("ca.crt", ca_pem); }
    std::string cert() { return write("server.crt", server_cert_pem); }
    std::string key() { return write("server.key", server_key_pem); }

    test::temp_dir tmp_;
};

TEST_F(tls_test, server_context_accepts_a_certificate_with_its_key) {
    auto ctx = tls::server_context(cert(), key());
    ASSERT_TRUE(ctx.ok()) << ctx.error().to_string();
    EXPECT_NE(*ctx, nullptr);
}

TEST_F(tls_test, server_context_refuses_a_missing_certificate_and_names_it) {
    auto ctx = tls::server_context((tmp_.path() / "nope.crt").string(), key());
    ASSERT_FALSE(ctx.ok());
    EXPECT_EQ(ctx.error().code(), status_code::invalid_argument);
    EXPECT_NE(ctx.error().message().find("cannot read TLS certificate"), std::string::npos) << ctx.error().message();
    EXPECT_NE(ctx.error().message().find("nope.crt"), std::string::npos);
}

TEST_F(tls_test, server_context_refuses_a_file_that_is_not_pem) {
    auto ctx = tls::server_context(write("junk.crt", "not a certificate\n"), key());
    ASSERT_FALSE(ctx.ok());
    EXPECT_NE(ctx.error().message().find("bad TLS certificate"), std::string::npos) << ctx.error().message();
}

TEST_F(tls_test, server_context_refuses_a_key_of_another_certificate) {
    auto ctx = tls::server_context(cert(), write("other.key", other_key_pem));
    ASSERT_FALSE(ctx.ok());
    EXPECT_NE(ctx.error().message().find("does not belong to the certificate"), std::string::npos)
        << ctx.error().message();
}

TEST_F(tls_test, server_context_refuses_a_certificate_given_as_key) {
    auto ctx = tls::server_context(cert(), cert());
    ASSERT_FALSE(ctx.ok());
    EXPECT_NE(ctx.error().message().find("bad TLS private key"), std::string::npos) << ctx.error().message();
}

TEST_F(tls_test, client_context_loads_a_ca_and_refuses_files_without_one) {
    EXPECT_TRUE(tls::client_context(ca()).ok());
    auto missing = tls::client_context((tmp_.path() / "nope.crt").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message().find("cannot read TLS CA file"), std::string::npos);
    auto junk = tls::client_context(write("junk.crt", "-----BEGIN NOTHING-----\n"));
    ASSERT_FALSE(junk.ok());
    EXPECT_NE(junk.error().message().find("bad TLS CA file"), std::string::npos) << junk.error().message();
}

TEST_F(tls_test, broker_needs_both_certificate_and_key) {
    server::broker_config c;
    auto no_key = server::apply_tls_flags(c, cert(), "", "");
    EXPECT_EQ(no_key.code(), status_code::invalid_argument);
    EXPECT_NE(no_key.message().find("--tls-cert needs --tls-key"), std::string::npos) << no_key.message();
    auto no_cert = server::apply_tls_flags(c, "", key(), "");
    EXPECT_NE(no_cert.message().find("--tls-key needs --tls-cert"), std::string::npos) << no_cert.message();
    EXPECT_EQ(c.tls_server, nullptr);
    ASSERT_TRUE(server::apply_tls_flags(c, cert(), key(), "").ok());
    EXPECT_NE(c.tls_server, nullptr);
    EXPECT_EQ(c.tls_leader, nullptr);
}

TEST_F(tls_test, broker_takes_tls_ca_only_as_a_follower) {
    server::broker_config c;
    auto leader = server::apply_tls_flags(c, "", "", ca());
    EXPECT_NE(leader.message().find("--tls-ca is only for --role follower"), std::string::npos) << leader.message();
    c.follower = true;
    ASSERT_TRUE(server::apply_tls_flags(c, "", "", ca()).ok());
    EXPECT_NE(c.tls_leader, nullptr);
    EXPECT_FALSE(server::apply_tls_flags(c, "", "", cert() + ".missing").ok());
}

TEST_F(tls_test, broker_refuses_unreadable_certificate_files) {
    server::broker_config c;
    auto s = server::apply_tls_flags(c, cert(), (tmp_.path() / "gone.key").string(), "");
    EXPECT_EQ(s.code(), status_code::invalid_argument);
    EXPECT_NE(s.message().find("gone.key"), std::string::npos) << s.message();
}

// A broker's HTTP server in-process, over TLS or not, and clients of it.
class tls_server_test : public tls_test {
protected:
    void start(bool tls) {
        log::log_options lo;
        lo.run_blocking = [this](std::function<void()> job) { asio::post(fsync_pool_, std::move(job)); };
        auto t = broker::topic_manager::open(tmp_.path() / "data", 1, lo, broker::flush_policy{});
        ASSERT_TRUE(t.ok()) << t.error().to_string();
        topics_ = std::move(*t);
        auto o = broker::offsets_store::open(tmp_.path() / "data", lo);
        ASSERT_TRUE(o.ok()) << o.error().to_string();
        offsets_ = std::move(*o);
        groups_ = std::make_unique<broker::group_coordinator>(
            [](const std::string&) { return 0; },
            [](const std::string&, const broker::topic_partition&, log::offset_t) { return status{}; });
        core_ = std::make_unique<broker::core>(*topics_, *groups_, *offsets_);
        ctx_ = std::make_unique<http::server_context>(*core_);
        guard_.emplace(io_.get_executor());
        server_ = std::make_unique<http::server>(std::vector<asio::io_context*>{&io_}, *ctx_, http::server_limits{});
        if (tls) {
            auto ctx = tls::server_context(cert(), key());
            ASSERT_TRUE(ctx.ok()) << ctx.error().to_string();
            server_->use_tls(*ctx);
        }
        auto s = server_->listen("127.0.0.1", 0);
        ASSERT_TRUE(s.ok()) << s.to_string();
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        if (server_) asio::post(io_, [this] { server_->stop(); });
        guard_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
        server_.reset();
        fsync_pool_.join();
        if (topics_) (void)topics_->close();
        if (offsets_) (void)offsets_->close();
    }

    tls::context_ptr trust(const char* pem) {
        auto ctx = tls::client_context(write("trusted.crt", pem));
        EXPECT_TRUE(ctx.ok());
        return ctx.ok() ? *ctx : nullptr;
    }
    result<client::http_reply> healthz(const std::string& host, tls::context_ptr tls) {
        client::http_connection c(host, server_->port(), std::move(tls));
        return c.request("GET", "/healthz", "", "", 5s);
    }

    asio::io_context io_{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
    asio::thread_pool fsync_pool_{1};
    std::unique_ptr<broker::topic_manager> topics_;
    std::unique_ptr<broker::offsets_store> offsets_;
    std::unique_ptr<broker::group_coordinator> groups_;
    std::unique_ptr<broker::core> core_;
    std::unique_ptr<http::server_context> ctx_;
    std::unique_ptr<http::server> server_;
    std::thread thread_;
};

TEST_F(tls_server_test, a_client_trusting_the_ca_gets_answers_over_one_kept_alive_connection) {
    start(true);
    client::http_connection c("127.0.0.1", server_->port(), trust(ca_pem));
    for (int i = 0; i < 3; ++i) {
        auto r = c.request("GET", "/healthz", "", "", 5s);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        EXPECT_EQ(r->status, 200u);
    }
    EXPECT_EQ(ctx_->open_connections.load(), 1);
}

// The broker answers 400 tls_required (tls.bats sees it with curl); the
// client turns that into a setting to fix.
TEST_F(tls_server_test, plain_http_to_a_tls_broker_is_told_to_use_tls_ca) {
    start(true);
    auto r = healthz("127.0.0.1", nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), status_code::invalid_argument);
    EXPECT_NE(r.error().message().find("serves HTTPS only: give --tls-ca FILE"), std::string::npos)
        << r.error().message();
    // The broker is none the worse for it.
    auto again = healthz("127.0.0.1", trust(ca_pem));
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(again->status, 200u);
}

TEST_F(tls_server_test, a_certificate_from_another_ca_is_refused_with_the_reason) {
    start(true);
    auto r = healthz("127.0.0.1", trust(other_ca_pem));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("refused the certificate of 127.0.0.1"), std::string::npos)
        << r.error().message();
    EXPECT_NE(r.error().message().find("not signed by a CA in --tls-ca"), std::string::npos) << r.error().message();
}

TEST_F(tls_server_test, a_certificate_for_another_host_is_refused) {
    start(true);
    auto r = healthz("localhost", trust(ca_pem));  // the certificate names only IP 127.0.0.1
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("it is not for 'localhost'"), std::string::npos) << r.error().message();
}

TEST_F(tls_server_test, tls_to_a_plain_broker_fails_the_handshake) {
    start(false);
    auto r = healthz("127.0.0.1", trust(ca_pem));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("TLS handshake with 127.0.0.1"), std::string::npos) << r.error().message();
}

TEST_F(tls_server_test, a_plain_broker_still_serves_plain_clients) {
    start(false);
    auto r = healthz("127.0.0.1", nullptr);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->status, 200u);
}

}  // namespace
}  // namespace gafka
