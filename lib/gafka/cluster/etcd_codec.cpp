#include "gafka/cluster/etcd_codec.h"

#include <charconv>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gafka/util/text.h"

namespace gafka::cluster {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;
using value = rapidjson::Value;

// Writes the JSON of one message with `body` filling its object.
template <class Body>
std::string object(Body&& body) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    w.StartObject();
    body(w);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

void key(writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void bytes(writer& w, std::string_view name, std::string_view b) {
    key(w, name);
    auto s = util::base64_encode(b);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
// 64-bit numbers travel as strings; zero is left out, as the gateway does.
void int64(writer& w, std::string_view name, std::int64_t n) {
    if (n == 0) return;
    key(w, name);
    auto s = std::to_string(n);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void range_fields(writer& w, std::string_view k, std::string_view end) {
    bytes(w, "key", k);
    if (!end.empty()) bytes(w, "range_end", end);
}

// The decoding side: a missing field is its zero value; a present one of the
// wrong type is corruption.
struct reader {
    std::string error;

    const value* member(const value& o, const char* name) {
        if (!o.IsObject()) {
            fail(std::string("expected an object around '") + name + "'");
            return nullptr;
        }
        auto it = o.FindMember(name);
        return it == o.MemberEnd() ? nullptr : &it->value;
    }
    std::int64_t int64(const value& o, const char* name) {
        const value* v = member(o, name);
        if (!v) return 0;
        if (v->IsInt64()) return v->GetInt64();
        std::int64_t n = 0;
        if (v->IsString()) {
            std::string_view s(v->GetString(), v->GetStringLength());
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
        }
        fail(std::string("'") + name + "' is not a 64-bit number");
        return 0;
    }
    bool boolean(const value& o, const char* name) {
        const value* v = member(o, name);
        if (!v) return false;
        if (v->IsBool()) return v->GetBool();
        fail(std::string("'") + name + "' is not a boolean");
        return false;
    }
    std::string text(const value& o, const char* name) {
        const value* v = member(o, name);
        if (!v) return {};
        if (v->IsString()) return {v->GetString(), v->GetStringLength()};
        fail(std::string("'") + name + "' is not a string");
        return {};
    }
    std::string bytes(const value& o, const char* name) {
        auto s = text(o, name);
        auto b = util::base64_decode(s);
        if (!b) fail(std::string("'") + name + "' is not base64");
        return b ? *b : std::string();
    }
    const value* array(const value& o, const char* name) {
        const value* v = member(o, name);
        if (v && !v->IsArray()) {
            fail(std::string("'") + name + "' is not an array");
            return nullptr;
        }
        return v;
    }
    key_value kv(const value& o) {
        key_value out;
        out.key = bytes(o, "key");
        out.value = bytes(o, "value");
        out.create_revision = int64(o, "create_revision");
        out.mod_revision = int64(o, "mod_revision");
        out.version = int64(o, "version");
        out.lease = int64(o, "lease");
        return out;
    }
    std::vector<key_value> kvs(const value& o) {
        std::vector<key_value> out;
        if (const value* a = array(o, "kvs"))
            for (const auto& e : a->GetArray()) out.push_back(kv(e));
        return out;
    }
    revision_t header_revision(const value& o) {
        const value* h = member(o, "header");
        return h ? int64(*h, "revision") : 0;
    }
    void fail(std::string why) {
        if (error.empty()) error = std::move(why);
    }
};

// Parses `json` into `doc`; a gateway error object comes back as a status.
status parse(std::string_view json, rapidjson::Document& doc) {
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        return status::corruption("etcd answered something that is not a JSON object");
    auto it = doc.FindMember("error");
    if (it == doc.MemberEnd()) return {};
    reader r;
    // {"error":"..","message":"..","code":N} from a unary call;
    // {"error":{"grpc_code":N,"http_code":N,"message":".."}} in a stream.
    std::string message = it->value.IsObject() ? r.text(it->value, "message") : r.text(doc, "message");
    if (message.empty() && it->value.IsString()) message = it->value.GetString();
    return status::unavailable("etcd: " + (message.empty() ? std::string("error without a message") : message));
}

template <class T, class Decode>
result<T> decode_with(std::string_view json, Decode&& decode) {
    rapidjson::Document doc;
    if (auto s = parse(json, doc); !s.ok()) return s;
    reader r;
    T out = decode(r, static_cast<const value&>(doc));
    if (!r.error.empty()) return status::corruption("etcd's answer does not decode: " + r.error);
    return out;
}

void write_op(writer& w, const txn_op& op) {
    w.StartObject();
    switch (op.op) {
        case txn_op::kind::put:
            key(w, "request_put");
            w.StartObject();
            bytes(w, "key", op.key);
            bytes(w, "value", op.value);
            int64(w, "lease", op.lease);
            w.EndObject();
            break;
        case txn_op::kind::range:
            key(w, "request_range");
            w.StartObject();
            range_fields(w, op.key, op.range_end);
            w.EndObject();
            break;
        case txn_op::kind::remove:
            key(w, "request_delete_range");
            w.StartObject();
            range_fields(w, op.key, op.range_end);
            w.EndObject();
            break;
    }
    w.EndObject();
}

void write_ops(writer& w, std::string_view name, const std::vector<txn_op>& ops) {
    key(w, name);
    w.StartArray();
    for (const auto& op : ops) write_op(w, op);
    w.EndArray();
}

}  // namespace

std::string prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        if (static_cast<unsigned char>(end.back()) < 0xff) {
            end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');  // every key (etcd's "\0" range end)
}

std::string encode(const range_request& r) {
    return object([&](writer& w) { range_fields(w, r.key, r.range_end); });
}

std::string encode(const put_request& r) {
    return object([&](writer& w) {
        bytes(w, "key", r.key);
        bytes(w, "value", r.value);
        int64(w, "lease", r.lease);
    });
}

std::string encode_delete(const range_request& r) { return encode(r); }

std::string encode(const txn_request& r) {
    return object([&](writer& w) {
        key(w, "compare");
        w.StartArray();
        for (const auto& c : r.compares) {
            w.StartObject();
            key(w, "result");
            w.String("EQUAL");
            key(w, "key");
            auto k = util::base64_encode(c.key);
            w.String(k.data(), static_cast<rapidjson::SizeType>(k.size()));
            key(w, "target");
            switch (c.what) {
                case compare::target::create_revision:
                    w.String("CREATE");
                    key(w, "create_revision");
                    w.String(std::to_string(c.revision).c_str());
                    break;
                case compare::target::mod_revision:
                    w.String("MOD");
                    key(w, "mod_revision");
                    w.String(std::to_string(c.revision).c_str());
                    break;
                case compare::target::value:
                    w.String("VALUE");
                    bytes(w, "value", c.value);
                    break;
            }
            w.EndObject();
        }
        w.EndArray();
        write_ops(w, "success", r.success);
        write_ops(w, "failure", r.failure);
    });
}

std::string encode_lease_grant(std::int64_t ttl_seconds) {
    return object([&](writer& w) { int64(w, "TTL", ttl_seconds); });
}

std::string encode_lease_id(lease_id id) {
    return object([&](writer& w) { int64(w, "ID", id); });
}

std::string encode_watch_create(const range_request& r, revision_t start_revision) {
    return object([&](writer& w) {
        key(w, "create_request");
        w.StartObject();
        range_fields(w, r.key, r.range_end);
        int64(w, "start_revision", start_revision);
        w.EndObject();
    });
}

result<range_response> decode_range(std::string_view json) {
    return decode_with<range_response>(json, [](reader& r, const value& doc) {
        return range_response{r.header_revision(doc), r.kvs(doc)};
    });
}

result<revision_t> decode_header_revision(std::string_view json) {
    return decode_with<revision_t>(json, [](reader& r, const value& doc) { return r.header_revision(doc); });
}

result<txn_response> decode_txn(std::string_view json) {
    return decode_with<txn_response>(json, [](reader& r, const value& doc) {
        txn_response out;
        out.revision = r.header_revision(doc);
        out.succeeded = r.boolean(doc, "succeeded");
        if (const value* a = r.array(doc, "responses"))
            for (const auto& e : a->GetArray())
                if (const value* range = r.member(e, "response_range")) out.ranges.push_back(r.kvs(*range));
        return out;
    });
}

result<lease_grant_response> decode_lease_grant(std::string_view json) {
    auto out = decode_with<lease_grant_response>(json, [](reader& r, const value& doc) {
        return lease_grant_response{r.int64(doc, "ID"), r.int64(doc, "TTL")};
    });
    if (out.ok() && (out->id == 0 || out->ttl_seconds <= 0)) return status::corruption("etcd granted no lease");
    return out;
}

result<std::int64_t> decode_keepalive(std::string_view json) {
    // A stream's answer: {"result":{...,"ID":..,"TTL":..}}.
    return decode_with<std::int64_t>(json, [](reader& r, const value& doc) {
        const value* res = r.member(doc, "result");
        return res ? r.int64(*res, "TTL") : 0;
    });
}

result<watch_response> decode_watch(std::string_view json) {
    return decode_with<watch_response>(json, [](reader& r, const value& doc) {
        watch_response out;
        const value* res = r.member(doc, "result");
        if (!res) {
            r.fail("no 'result'");
            return out;
        }
        out.revision = r.header_revision(*res);
        out.created = r.boolean(*res, "created");
        out.canceled = r.boolean(*res, "canceled");
        out.compact_revision = r.int64(*res, "compact_revision");
        out.cancel_reason = r.text(*res, "cancel_reason");
        if (const value* a = r.array(*res, "events"))
            for (const auto& e : a->GetArray()) {
                auto type = r.text(e, "type");
                if (!type.empty() && type != "PUT" && type != "DELETE") r.fail("unknown event type '" + type + "'");
                const value* kv = r.member(e, "kv");
                out.events.push_back({type == "DELETE", kv ? r.kv(*kv) : key_value{}});
            }
        return out;
    });
}

}  // namespace gafka::cluster
