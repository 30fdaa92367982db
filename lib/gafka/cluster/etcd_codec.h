#pragma once
// The messages of etcd's v3 JSON gateway (etcd 3.4's grpc-gateway), encoded
// and decoded; no I/O (etcd_client.h sends them). The gateway's JSON is
// protobuf's: keys and values are base64, 64-bit numbers are strings, and a
// field that is false or zero is left out (a failed txn has no `succeeded`,
// a dead lease's keepalive answer no `TTL`, a put event no `type`), so every
// absent field decodes to its zero value here.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::cluster {

using revision_t = std::int64_t;  // etcd's store revision; 0: none
using lease_id = std::int64_t;    // 0: no lease

struct key_value {
    std::string key;
    std::string value;
    revision_t create_revision = 0;
    revision_t mod_revision = 0;
    std::int64_t version = 0;
    lease_id lease = 0;
};

// The end of the range holding every key that starts with `prefix` (etcd's
// prefix convention: the prefix with its last byte incremented).
std::string prefix_end(std::string_view prefix);

struct range_request {
    std::string key;
    std::string range_end;  // empty: `key` alone
};
struct range_response {
    revision_t revision = 0;  // the store's revision the answer was read at
    std::vector<key_value> kvs;
};

struct put_request {
    std::string key;
    std::string value;
    lease_id lease = 0;
};

// A txn's comparison; always "equal" (all this cluster needs).
struct compare {
    enum class target { create_revision, mod_revision, value };
    target what = target::create_revision;
    std::string key;
    revision_t revision = 0;  // create_revision, mod_revision
    std::string value;        // value
};
struct txn_op {
    enum class kind { put, range, remove };
    kind op = kind::put;
    std::string key;
    std::string value;      // put
    lease_id lease = 0;     // put
    std::string range_end;  // range, remove
};
struct txn_request {
    std::vector<compare> compares;
    std::vector<txn_op> success;
    std::vector<txn_op> failure;
};
struct txn_response {
    revision_t revision = 0;  // after the txn: a successful put's create/mod revision
    bool succeeded = false;
    // What each range op of the branch taken read, in order (puts and
    // removes leave no entry).
    std::vector<std::vector<key_value>> ranges;
};

struct lease_grant_response {
    lease_id id = 0;
    std::int64_t ttl_seconds = 0;
};

struct watch_event {
    bool deleted = false;  // else a put
    key_value kv;          // on a delete: the key and mod_revision only
};
struct watch_response {
    revision_t revision = 0;
    bool created = false;
    bool canceled = false;
    revision_t compact_revision = 0;  // set when canceled because the start revision was compacted
    std::string cancel_reason;
    std::vector<watch_event> events;
};

// Request bodies.
std::string encode(const range_request& r);
std::string encode(const put_request& r);
std::string encode_delete(const range_request& r);
std::string encode(const txn_request& r);
std::string encode_lease_grant(std::int64_t ttl_seconds);
std::string encode_lease_id(lease_id id);  // keepalive and revoke
std::string encode_watch_create(const range_request& r, revision_t start_revision);

// Answers. Malformed JSON, a wrong type or bad base64 is corruption; a
// gateway error object ({"error":..,"code":..,"message":..}, or in a stream
// {"error":{"grpc_code":..,"message":..}}) is unavailable with etcd's message.
result<range_response> decode_range(std::string_view json);
result<revision_t> decode_header_revision(std::string_view json);  // put, delete
result<txn_response> decode_txn(std::string_view json);
result<lease_grant_response> decode_lease_grant(std::string_view json);
// The TTL left after a renewal; 0 when the lease no longer exists.
result<std::int64_t> decode_keepalive(std::string_view json);
// One line of the watch stream.
result<watch_response> decode_watch(std::string_view json);

}  // namespace gafka::cluster
