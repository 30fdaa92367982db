#pragma once
// gafka-admin's consumer-group subcommands. JSON lines on `out`; each
// returns an exit code (0 ok, 1 refused or unreachable, 2 usage).
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace gafka::tools {

struct reset_options {
    std::string brokers = "localhost:9001";
    std::string group;
    std::string topic;
    std::optional<std::int32_t> partition;
    bool to_earliest = false;
    bool to_latest = false;
    std::optional<std::int64_t> to_offset;
    std::optional<std::string> to_time;  // RFC 3339, relative (-1h) or ms: the first record at or after it
    bool dry_run = false;
};

int admin_list_groups(const std::string& brokers, std::ostream& out, std::ostream& err);
int admin_describe_group(const std::string& brokers, const std::string& group, std::ostream& out, std::ostream& err);
int admin_delete_group(const std::string& brokers, const std::string& group, std::ostream& out, std::ostream& err);
// For cron and monitoring: one line {"group","total_lag","max_lag","over",
// "partitions":[{"topic","partition","lag"}]}; exit 1 when the total lag is
// over max_lag (and when the broker cannot say), 0 otherwise.
int admin_lag(const std::string& brokers, const std::string& group, std::optional<std::int64_t> max_lag,
              std::ostream& out, std::ostream& err);
// Prints the plan, one line per partition; applies it unless dry_run.
int admin_reset_offsets(const reset_options& o, std::ostream& out, std::ostream& err);

}  // namespace gafka::tools
