#include "gafka/broker/topic_manager.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <chrono>

#include <rapidjson/document.h>

#include "gafka/rules/names.h"
#include "gafka/util/clock.h"
#include "gafka/util/file.h"
#include "gafka/util/logging.h"

namespace gafka::broker {
namespace fs = std::filesystem;
namespace {

constexpr int format_version = 1;

std::shared_ptr<spdlog::logger> lg() { return util::logger("broker"); }

status check_meta(const fs::path& dir, std::int32_t broker_id) {
    auto path = dir / "meta.json";
    if (!fs::exists(path))
        return util::atomic_write_file(path, "{\"broker_id\":" + std::to_string(broker_id) +
                                                 ",\"format_version\":" + std::to_string(format_version) + "}\n");
    auto text = util::read_whole_file(path);
    if (!text.ok()) return text.error();
    rapidjson::Document d;
    d.Parse(text->data(), text->size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("broker_id") || !d["broker_id"].IsInt())
        return status::corruption(path.string() + " is not a gafka meta.json");
    if (d["broker_id"].GetInt() != broker_id)
        return status::invalid_argument("data dir " + dir.string() + " belongs to broker " +
                                        std::to_string(d["broker_id"].GetInt()) + ", not " +
                                        std::to_string(broker_id));
    return {};
}

}  // namespace

namespace {

// The next version of topic `old` (add_partitions, set_cluster_incarnation):
// its name, config and partitions, for the caller to change.
std::shared_ptr<topic> next_version(const topic& old) {
    auto t = std::make_shared<topic>();
    t->name = old.name;
    t->config = old.config;
    t->partitions = old.partitions;
    return t;
}

// Writes the new version's topic.json, then carries over the traffic counted
// on the old version until now (what requests still holding it count from
// here on is not carried over).
status save_version(const std::filesystem::path& dir, const topic& old, topic& t) {
    if (auto s = util::atomic_write_file(dir / "topic.json", topic_config_json(t.name, t.config)); !s.ok()) return s;
    t.records_in = old.records_in.load();
    t.bytes_in = old.bytes_in.load();
    t.records_out = old.records_out.load();
    t.bytes_out = old.bytes_out.load();
    return {};
}

}  // namespace

std::string topic_config_json(const std::string& name, const topic_config& c) {
    return "{\"name\":\"" + name + "\",\"partitions\":" + std::to_string(c.partitions) +
           ",\"retention_bytes\":" + std::to_string(c.retention_bytes) +
           ",\"retention_ms\":" + std::to_string(c.retention_ms) + ",\"created_ms\":" + std::to_string(c.created_ms) +
           ",\"compression\":\"" + log::to_string(c.compression) + "\"" +
           (c.cluster_incarnation != 0 ? ",\"cluster_incarnation\":" + std::to_string(c.cluster_incarnation) : "") +
           "}\n";
}

result<topic_config> parse_topic_config_json(std::string_view text) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError() || !d.IsObject()) return status::corruption("topic.json is not a JSON object");
    topic_config c;
    auto get = [&](const char* k, std::int64_t& out) {
        if (d.HasMember(k) && d[k].IsInt64()) out = d[k].GetInt64();
    };
    if (!d.HasMember("partitions") || !d["partitions"].IsInt()) return status::corruption("topic.json lacks partitions");
    c.partitions = d["partitions"].GetInt();
    if (c.partitions < 1 || c.partitions > rules::max_partitions) return status::corruption("topic.json: bad partitions");
    get("retention_bytes", c.retention_bytes);
    get("retention_ms", c.retention_ms);
    get("created_ms", c.created_ms);
    get("cluster_incarnation", c.cluster_incarnation);  // absent outside a cluster: 0
    if (d.HasMember("compression")) {  // absent in topic.json files older than the setting: producer
        const auto& v = d["compression"];
        auto t = v.IsString() ? log::parse_compression_type(v.GetString()) : std::nullopt;
        if (!t) return status::corruption("topic.json: bad compression");
        c.compression = *t;
    }
    return c;
}

result<topic_config> read_topic_config_file(const fs::path& file) {
    auto text = util::read_whole_file(file);
    if (!text.ok()) return text.error();
    return parse_topic_config_json(*text);
}

result<std::unique_ptr<topic_manager>> topic_manager::open(const fs::path& data_dir, std::int32_t broker_id,
                                                           log::log_options log_options, flush_policy flush,
                                                           const replication::replication_state* repl) {
    std::error_code ec;
    fs::create_directories(data_dir / "topics", ec);
    if (ec) return status::io_error("create " + (data_dir / "topics").string() + ": " + ec.message());
    auto lock = util::file::open(data_dir / ".lock", O_RDWR | O_CREAT);
    if (!lock.ok()) return lock.error();
    if (::flock(lock->fd(), LOCK_EX | LOCK_NB) != 0)
        return status::unavailable("data dir " + data_dir.string() + " is in use by another broker");
    if (auto s = check_meta(data_dir, broker_id); !s.ok()) return s;
    std::unique_ptr<topic_manager> tm(new topic_manager(data_dir, std::move(log_options), flush));
    tm->lock_ = std::move(*lock);
    tm->repl_ = repl;
    for (const auto& entry : fs::directory_iterator(data_dir / "topics", ec)) {
        auto name = entry.path().filename().string();
        if (!entry.is_directory()) continue;
        if (name.starts_with(rules::deleted_topic_prefix)) {  // a delete interrupted by a crash
            fs::remove_all(entry.path(), ec);
            continue;
        }
        auto meta = entry.path() / "topic.json";
        if (!fs::exists(meta)) {  // a create that never finished (create() writes topic.json last)
            lg()->warn("skipping {}: no topic.json", entry.path().string());
            continue;
        }
        // One topic's damage keeps only that topic offline.
        auto config = read_topic_config_file(meta);
        if (!config.ok()) {
            tm->set_aside({name, meta, config.error().message()});
            continue;
        }
        auto t = tm->open_topic(entry.path(), name, *config);
        if (!t.ok()) {
            tm->set_aside({name, entry.path(), t.error().message()});
            continue;
        }
        tm->topics_[name] = std::move(*t);
    }
    std::sort(tm->damaged_.begin(), tm->damaged_.end(),
              [](const damaged_topic& a, const damaged_topic& b) { return a.name < b.name; });
    if (ec) return status::io_error("list " + (data_dir / "topics").string() + ": " + ec.message());
    return tm;
}

void topic_manager::set_aside(damaged_topic d) {
    lg()->error("not serving topic '{}': {}; its files are left as they are (docs/operations.md: a damaged topic)",
                d.name, d.path.string() + ": " + d.reason);
    damaged_.push_back(std::move(d));
}

const damaged_topic* topic_manager::damaged(const std::string& name) const {
    for (const auto& d : damaged_)
        if (d.name == name) return &d;
    return nullptr;
}

std::string damaged_topic_message(const damaged_topic& d) {
    return "topic '" + d.name + "' is damaged and not served: " + d.path.string() + ": " + d.reason +
           " (repair it and restart the broker; see docs/operations.md)";
}

result<std::shared_ptr<topic>> topic_manager::open_topic(const fs::path& dir, const std::string& name,
                                                         topic_config config) {
    auto t = std::make_shared<topic>();
    t->name = name;
    t->config = config;
    if (auto s = open_partitions(dir, *t); !s.ok()) return s;
    return t;
}

status topic_manager::open_partitions(const fs::path& dir, topic& t) {
    for (auto p = static_cast<std::int32_t>(t.partitions.size()); p < t.config.partitions; ++p) {
        auto log = log::partition_log::open(dir / std::to_string(p), log_options_);
        if (!log.ok()) return status(log.error().code(), t.name + "/" + std::to_string(p) + ": " + log.error().message());
        t.partitions.push_back(std::make_shared<partition>(t.name, p, std::move(*log), flush_, repl_,
                                                           log::stored_codec(t.config.compression)));
    }
    return {};
}

result<std::shared_ptr<topic>> topic_manager::add_partitions(const std::string& name, std::int32_t partitions) {
    std::lock_guard lock(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return status::not_found("unknown topic '" + name + "'");
    const auto& old = *it->second;
    auto have = static_cast<std::int32_t>(old.partitions.size());
    if (partitions <= have)
        return status::invalid_argument("topic '" + name + "' has " + std::to_string(have) +
                                        " partitions; partitions can only be added (ask for more than " +
                                        std::to_string(have) + ")");
    if (partitions > rules::max_partitions)
        return status::invalid_argument("partitions must be between 1 and " + std::to_string(rules::max_partitions));
    auto t = next_version(old);
    t->config.partitions = partitions;
    auto dir = data_dir_ / "topics" / name;
    if (auto s = open_partitions(dir, *t); !s.ok()) return s;
    // topic.json last: until it is replaced, the new partition dirs are not served.
    if (auto s = save_version(dir, old, *t); !s.ok()) return s;
    lg()->info("topic '{}' grows from {} to {} partitions", name, have, partitions);
    it->second = t;
    return t;
}

result<std::shared_ptr<topic>> topic_manager::set_cluster_incarnation(const std::string& name,
                                                                      std::int64_t incarnation) {
    std::lock_guard lock(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return status::not_found("unknown topic '" + name + "'");
    const auto& old = *it->second;
    auto t = next_version(old);
    t->config.cluster_incarnation = incarnation;
    if (auto s = save_version(data_dir_ / "topics" / name, old, *t); !s.ok()) return s;
    it->second = t;
    return t;
}

result<std::shared_ptr<topic>> topic_manager::create(const std::string& name, topic_config config) {
    if (auto s = rules::check_stored_topic_name(name); !s.ok()) return s;
    if (config.partitions < 1 || config.partitions > rules::max_partitions)
        return status::invalid_argument("partitions must be between 1 and " + std::to_string(rules::max_partitions));
    // A damaged topic's files are still there: a new topic must not take them over.
    if (auto d = damaged(name)) return status::unavailable(damaged_topic_message(*d));
    std::lock_guard lock(mu_);
    if (topics_.count(name)) return status::already_exists("topic '" + name + "' already exists");
    config.created_ms = util::wall_clock_ms();
    if (config.cluster_incarnation == 0) config.cluster_incarnation = new_topic_incarnation_;
    auto dir = data_dir_ / "topics" / name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return status::io_error("create " + dir.string() + ": " + ec.message());
    auto t = open_topic(dir, name, config);
    if (!t.ok()) return t.error();
    // topic.json last: a crash before it leaves a directory that is skipped.
    if (auto s = util::atomic_write_file(dir / "topic.json", topic_config_json(name, config)); !s.ok()) return s;
    if (auto s = util::sync_directory(data_dir_ / "topics"); !s.ok()) return s;
    lg()->info("created topic '{}' with {} partitions, compression {}", name, config.partitions,
               log::to_string(config.compression));
    topics_[name] = *t;
    return *t;
}

std::shared_ptr<topic> topic_manager::find(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<topic>> topic_manager::list() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<topic>> out;
    for (const auto& [_, t] : topics_) out.push_back(t);
    return out;
}

status topic_manager::remove(const std::string& name) {
    std::shared_ptr<topic> t;
    {
        std::lock_guard lock(mu_);
        auto it = topics_.find(name);
        if (it == topics_.end()) return status::not_found("unknown topic '" + name + "'");
        t = it->second;
        topics_.erase(it);
    }
    // Rename first (atomic), then remove: a crash in between leaves a
    // .deleted- directory that the next start removes.
    auto dir = data_dir_ / "topics" / name;
    // The name is cut so the whole stays within NAME_MAX (255) for any topic name.
    auto doomed = data_dir_ / "topics" /
                  (std::string(rules::deleted_topic_prefix) + std::to_string(util::wall_clock_ms()) + "-" + name.substr(0, 200));
    std::error_code ec;
    fs::rename(dir, doomed, ec);
    if (ec) return status::io_error("rename " + dir.string() + ": " + ec.message());
    if (auto s = util::sync_directory(data_dir_ / "topics"); !s.ok()) return s;
    for (auto& p : t->partitions) p->wake_waiters();
    fs::remove_all(doomed, ec);
    lg()->info("deleted topic '{}'", name);
    return {};
}

std::int64_t topic_manager::apply_retention(log::timestamp_ms now) {
    std::int64_t deleted = 0;
    for (const auto& t : list())
        for (auto& p : t->partitions) {
            auto r = p->log().apply_retention(t->config.retention_bytes, t->config.retention_ms, now);
            if (r.ok()) deleted += r->segments_deleted;
            else lg()->error("retention of {}/{} failed: {}", t->name, p->id(), r.error().to_string());
        }
    return deleted;
}

void topic_manager::sync_all() {
    for (const auto& t : list())
        for (auto& p : t->partitions) {
            if (auto s = p->log().sync(); !s.ok())
                lg()->error("fsync of {}/{} failed: {}", t->name, p->id(), s.to_string());
        }
}

status topic_manager::close() {
    status first;
    for (const auto& t : list())
        for (auto& p : t->partitions) {
            auto s = p->log().close();
            p->wake_waiters();
            if (!s.ok() && first.ok()) first = s;
        }
    return first;
}

}  // namespace gafka::broker
