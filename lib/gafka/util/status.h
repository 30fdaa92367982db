#pragma once
// Library errors are values, not exceptions (LevelDB's Status). A status is
// ok or carries a code and a message; result<T> is a value or a status.
#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace gafka {

enum class status_code {
    ok,
    invalid_argument,
    not_found,
    already_exists,
    corruption,
    io_error,
    no_space,  // a write found the disk full (ENOSPC, EDQUOT): nothing it wrote is durable, so it may be tried again
    out_of_range,
    too_large,
    not_leader,
    conflict,
    unavailable,
    fenced,  // a newer instance of the same client took over; this one must stop
    not_enough_replicas,  // acks=all refused: fewer in-sync replicas than --min-insync
    timed_out,            // a wait (acks=all for the in-sync replicas) ran out of time
};

const char* to_string(status_code code);

class [[nodiscard]] status {
public:
    status() = default;
    status(status_code code, std::string message) : code_(code), message_(std::move(message)) {}

    static status ok_status() { return {}; }
    static status invalid_argument(std::string m) { return {status_code::invalid_argument, std::move(m)}; }
    static status not_found(std::string m) { return {status_code::not_found, std::move(m)}; }
    static status already_exists(std::string m) { return {status_code::already_exists, std::move(m)}; }
    static status corruption(std::string m) { return {status_code::corruption, std::move(m)}; }
    static status io_error(std::string m) { return {status_code::io_error, std::move(m)}; }
    static status out_of_range(std::string m) { return {status_code::out_of_range, std::move(m)}; }
    static status too_large(std::string m) { return {status_code::too_large, std::move(m)}; }
    static status unavailable(std::string m) { return {status_code::unavailable, std::move(m)}; }
    static status conflict(std::string m) { return {status_code::conflict, std::move(m)}; }
    static status fenced(std::string m) { return {status_code::fenced, std::move(m)}; }
    // An io_error built from errno, naming what was being done; no_space for
    // ENOSPC and EDQUOT. A failed fsync is never no_space, whatever its errno
    // (it is never retried: the kernel may have dropped the dirty pages), so
    // the sync calls build theirs with sync_failure.
    static status from_errno(const std::string& what, int err);
    static status sync_failure(const std::string& what, int err);

    bool ok() const { return code_ == status_code::ok; }
    status_code code() const { return code_; }
    const std::string& message() const { return message_; }
    std::string to_string() const;

private:
    status_code code_ = status_code::ok;
    std::string message_;
};

// A T or the status saying why there is none. Invariant: has a value iff
// status().ok().
template <typename T>
class [[nodiscard]] result {
public:
    result(T value) : value_(std::move(value)) {}
    result(status error) : status_(std::move(error)) { assert(!status_.ok()); }

    bool ok() const { return value_.has_value(); }
    const status& error() const { return status_; }
    T& value() & { assert(ok()); return *value_; }
    const T& value() const& { assert(ok()); return *value_; }
    T&& value() && { assert(ok()); return std::move(*value_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

private:
    std::optional<T> value_;
    status status_;
};

}  // namespace gafka
