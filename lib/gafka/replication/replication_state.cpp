#include "gafka/replication/replication_state.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/util/file.h"
#include "gafka/util/logging.h"

namespace gafka::replication {
namespace {

std::shared_ptr<spdlog::logger> lg() { return util::logger("replication"); }

}  // namespace

std::string replica_address::to_string() const { return host + ":" + std::to_string(port); }

result<std::unique_ptr<replication_state>> replication_state::open(const std::filesystem::path& data_dir,
                                                                   replication_options options) {
    std::unique_ptr<replication_state> s(new replication_state(data_dir, std::move(options)));
    s->leader_role_ = !s->options_.follower;
    s->leader_ = s->options_.leader;
    auto path = data_dir / replication_file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return s;
    auto text = util::read_whole_file(path);
    if (!text.ok()) return text.error();
    rapidjson::Document d;
    d.Parse(text->data(), text->size());
    auto bad = [&] { return status::corruption(path.string() + " is not a gafka replication state"); };
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("leader_epoch") || !d["leader_epoch"].IsInt() ||
        d["leader_epoch"].GetInt() < 0)
        return bad();
    s->epoch_ = d["leader_epoch"].GetInt();
    if (d.HasMember("followers")) {
        if (!d["followers"].IsArray()) return bad();
        for (const auto& f : d["followers"].GetArray()) {
            if (!f.IsObject() || !f.HasMember("id") || !f["id"].IsInt() || !f.HasMember("host") ||
                !f["host"].IsString() || !f.HasMember("port") || !f["port"].IsUint() || f["port"].GetUint() > 65535)
                return bad();
            replica_address a{f["id"].GetInt(), f["host"].GetString(), static_cast<std::uint16_t>(f["port"].GetUint())};
            if (a.id != s->options_.self) s->followers_[a.id] = a;
        }
    }
    return s;
}

status replication_state::save_locked() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("leader_epoch");
    w.Int(epoch_.load());
    w.Key("followers");
    w.StartArray();
    for (const auto& [id, a] : followers_) {
        w.StartObject();
        w.Key("id");
        w.Int(id);
        w.Key("host");
        w.String(a.host.c_str());
        w.Key("port");
        w.Uint(a.port);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return util::atomic_write_file(dir_ / replication_file, std::string(buf.GetString(), buf.GetSize()) + "\n");
}

void replication_state::set_self_address(std::string host, std::uint16_t port) {
    std::lock_guard lock(mu_);
    self_address_ = {options_.self, std::move(host), port};
}

replica_address replication_state::self_address() const {
    std::lock_guard lock(mu_);
    return self_address_;
}

std::optional<replica_address> replication_state::leader() const {
    std::lock_guard lock(mu_);
    if (leader_role_) return self_address_;
    return leader_;
}

status replication_state::leader_answered(replica_id id, epoch_t epoch, std::optional<replica_address> kafka) {
    std::lock_guard lock(mu_);
    if (leader_) leader_->id = id;
    if (kafka) kafka->id = id;
    leader_kafka_ = std::move(kafka);
    if (epoch <= epoch_) return {};
    epoch_ = epoch;
    return save_locked();
}

std::optional<replica_address> replication_state::leader_kafka() const {
    std::lock_guard lock(mu_);
    return leader_kafka_;
}

status replication_state::follower_fetched(const replica_address& a, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    last_fetch_ms_[a.id] = now_ms;
    auto it = followers_.find(a.id);
    if (it != followers_.end() && it->second == a) return {};
    lg()->info("follower {} at {} is fetching", a.id, a.to_string());
    followers_[a.id] = a;
    return save_locked();
}

std::vector<replica_address> replication_state::followers() const {
    std::lock_guard lock(mu_);
    std::vector<replica_address> out;
    for (const auto& [_, a] : followers_) out.push_back(a);
    return out;
}

std::vector<replica_id> replication_state::live_followers(std::int64_t now_ms) const {
    std::lock_guard lock(mu_);
    std::vector<replica_id> out;
    for (const auto& [id, t] : last_fetch_ms_)
        if (now_ms - t <= options_.isr.lag_max_ms) out.push_back(id);
    return out;
}

result<epoch_t> replication_state::promote() {
    std::lock_guard lock(mu_);
    if (leader_role_) return epoch_.load();
    auto previous = epoch_.load();
    epoch_ = previous + 1;
    if (auto s = save_locked(); !s.ok()) {
        epoch_ = previous;
        return s;
    }
    leader_role_ = true;
    leader_.reset();
    lg()->warn("promoted to leader at epoch {} (was following at epoch {})", epoch_.load(), previous);
    return epoch_.load();
}

}  // namespace gafka::replication
