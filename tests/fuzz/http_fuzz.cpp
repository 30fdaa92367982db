// The broker's request path (http/router.h route()): a request of any
// method, target, content type and body, dispatched through the route table
// to the JSON handlers of a broker over a temporary data dir, is answered
// with a status and a body, never a crash. This covers target and query
// parsing (http/query.h), produce bodies (http/produce_request.h), consume,
// group and offsets parameters, and topic admin bodies.
//
// Each input gets a fresh broker (a topic "t" of two partitions holding a
// few records, flush policy never) over an empty data dir, so a crash
// reproduces from its one input. The data dir is on tmpfs (/dev/shm) where
// there is one: creating a broker and a topic fsyncs files and directories,
// which on a disk cost each input 10 ms or more. Inputs that mention "wait"
// or "timeout=" are skipped: long polls would make a run take seconds
// without reaching more code.
#include <utility>  // before Boost.Asio with awaitable (Boost 1.74 + g++ 12)

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "gafka/broker/core.h"
#include "gafka/broker/flush_policy.h"
#include "gafka/broker/group_coordinator.h"
#include "gafka/broker/offsets_store.h"
#include "gafka/broker/topic_manager.h"
#include "gafka/http/context.h"
#include "gafka/http/router.h"
#include "gafka/log/batch.h"

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using namespace gafka;

// The data dir of each input's broker, one per process: in /dev/shm (tmpfs,
// where fsync costs nothing), else in /tmp. Removed after each input
// (libFuzzer may leave with _Exit, which runs no atexit handler).
const std::filesystem::path& data_dir() {
    static const std::filesystem::path dir = [] {
        for (const char* parent : {"/dev/shm", "/tmp"}) {
            std::string tmpl = std::string(parent) + "/gafka-http-fuzz-XXXXXX";
            if (::mkdtemp(tmpl.data())) return std::filesystem::path(tmpl);
        }
        std::abort();
    }();
    return dir;
}

void must(bool ok) {
    if (!ok) std::abort();
}

struct broker_state {
    std::unique_ptr<broker::topic_manager> topics;
    std::unique_ptr<broker::offsets_store> offsets;
    std::unique_ptr<broker::group_coordinator> groups;
    std::unique_ptr<broker::core> core;
    std::unique_ptr<http::server_context> ctx;

    explicit broker_state(const std::filesystem::path& dir) {
        broker::flush_policy flush;
        flush.kind = broker::flush_policy::mode::never;
        auto t = broker::topic_manager::open(dir, 1, log::log_options{}, flush);
        must(t.ok());
        topics = std::move(*t);
        auto o = broker::offsets_store::open(dir, log::log_options{});
        must(o.ok());
        offsets = std::move(*o);
        groups = std::make_unique<broker::group_coordinator>(
            [this](const std::string& topic) {
                auto found = topics->find(topic);
                return found ? static_cast<std::int32_t>(found->partitions.size()) : 0;
            },
            [this](const std::string& group, const broker::topic_partition& tp, log::offset_t offset) {
                auto r = offsets->append(group, tp, offset);
                return r.ok() ? status{} : r.error();
            });
        core = std::make_unique<broker::core>(*topics, *groups, *offsets);
        core->auto_create_topics = false;  // a fuzzed name must not leave a directory behind
        ctx = std::make_unique<http::server_context>(*core);
        broker::topic_config config;
        config.partitions = 2;
        must(topics->create("t", config).ok());
    }
    ~broker_state() {
        (void)topics->close();
        (void)offsets->close();
    }
};

http::response run(http::server_context& ctx, const http::request& req) {
    static asio::io_context io;
    std::optional<http::response> res;
    asio::co_spawn(io, http::route(req, ctx), [&](std::exception_ptr e, http::response r) {
        if (e) std::abort();  // handlers return errors; they do not throw
        res = std::move(r);
    });
    io.restart();
    io.run();
    must(res.has_value());
    return std::move(*res);
}

http::request make_request(beast_http::verb method, const std::string& target, const std::string& body,
                           const char* content_type) {
    http::request req{method, target, 11};
    req.set(beast_http::field::host, "127.0.0.1");
    if (content_type) req.set(beast_http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    return req;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Warnings and errors only: not the broker's "created topic" line per input.
    spdlog::set_level(spdlog::level::warn);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view whole(reinterpret_cast<const char*>(data), size);
    if (whole.find("wait") != std::string_view::npos || whole.find("timeout=") != std::string_view::npos) return 0;

    FuzzedDataProvider in(data, size);
    static const beast_http::verb methods[] = {beast_http::verb::get, beast_http::verb::post,
                                               beast_http::verb::delete_, beast_http::verb::put};
    static const char* const prefixes[] = {"", "/api/v1/produce?", "/api/v1/consume?topic=t&", "/api/v1/topics/",
                                           "/api/v1/consumer-groups/", "/api/v1/topics/t/offsets?"};
    static const char* const content_types[] = {nullptr, "application/json", "application/x-ndjson"};
    auto method = in.PickValueInArray(methods);
    std::string target = std::string(in.PickValueInArray(prefixes)) + in.ConsumeRandomLengthString(512);
    auto content_type = in.PickValueInArray(content_types);
    std::string body = in.ConsumeRemainingBytesAsString();

    std::error_code ec;
    const auto& dir = data_dir();
    std::filesystem::create_directories(dir, ec);
    {
        broker_state b(dir);
        // A few records to read, from the broker's own produce path.
        auto seed = run(*b.ctx, make_request(beast_http::verb::post, "/api/v1/produce",
                                             R"({"topic":"t","records":[{"key":"a","value":"1"},)"
                                             R"({"key":"b","value":"2","headers":{"h":"v"}}]})",
                                             "application/json"));
        must(seed.result() == beast_http::status::ok);

        auto res = run(*b.ctx, make_request(method, target, body, content_type));
        must(res.result_int() >= 200 && res.result_int() < 600);
    }
    std::filesystem::remove_all(dir, ec);
    return 0;
}
