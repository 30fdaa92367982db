// gafka-admin: topics and cluster metadata, as JSON lines.
#include <cstdlib>
#include <functional>
#include <iostream>

#include "gafka/cli/program.h"
#include "gafka/log/compression.h"
#include "gafka/tools/admin.h"
#include "gafka/tools/admin_groups.h"

int main(int argc, char** argv) {
    CLI::App app{"Administer gafka topics and inspect the cluster; JSON lines out.", "gafka-admin"};
    gafka::cli::configure_app(app);
    app.require_subcommand(1);
    gafka::tools::admin_options o;
    using handler = int (*)(const gafka::tools::admin_options&, std::ostream&, std::ostream&);
    handler chosen = nullptr;
    auto sub = [&](const char* name, const char* help, handler h) {
        auto* s = app.add_subcommand(name, help);
        gafka::cli::add_broker_option(*s, o.brokers);
        gafka::cli::add_auth_token_option(*s);
        gafka::cli::add_tls_ca_option(*s);
        s->callback([&chosen, h] { chosen = h; });
        return s;
    };
    auto* create = sub("create-topic", "Create a topic", gafka::tools::admin_create_topic);
    create->add_option("--name", o.name, "Topic name")->required();
    create->add_option("--partitions", o.partitions, "Number of partitions (1-100)")
        ->check(gafka::cli::in_range(1, 100));
    create->add_option("--retention-bytes", o.retention_bytes, "Keep at most this many bytes per partition");
    create->add_option("--retention-ms", o.retention_ms, "Delete segments older than this many milliseconds");
    create->add_option("--compression", o.compression,
                       "Codec the broker stores batches with: producer (as they came), uncompressed, gzip, snappy, "
                       "lz4 or zstd")
        ->check(CLI::IsMember(std::vector<std::string>(gafka::log::compression_type_names.begin(),
                                                       gafka::log::compression_type_names.end())));
    create->add_option("--replication-factor", o.replication_factor,
                       "Replicas of each partition, in a cluster (default: the broker's --replication-factor)")
        ->check(gafka::cli::in_range(1, 100));
    create->add_flag("--if-not-exists", o.if_not_exists, "Succeed quietly when the topic exists");
    auto* alter = sub("alter-topic", "Add partitions to a topic (keyed records already written stay where they are)",
                      gafka::tools::admin_alter_topic);
    alter->add_option("TOPIC,--name", o.name, "Topic name (TOPIC or --name)")->required();
    alter->add_option("--partitions", o.partitions, "The new number of partitions, above the current one (2-100)")
        ->required()
        ->check(gafka::cli::in_range(2, 100));
    sub("elect-leaders", "Move each partition's leadership back to its preferred replica (in a cluster)",
        gafka::tools::admin_elect_leaders)
        ->add_option("--topic", o.topic, "Only this topic's partitions (default: every topic)");
    sub("list-topics", "List topics, one JSON line each", gafka::tools::admin_list_topics);
    sub("describe-topic", "Describe a topic and its partitions", gafka::tools::admin_describe_topic)
        ->add_option("--name", o.name, "Topic name")
        ->required();
    sub("delete-topic", "Delete a topic and its data", gafka::tools::admin_delete_topic)
        ->add_option("--name", o.name, "Topic name")
        ->required();
    sub("metadata", "Print the cluster metadata, with each follower's lag", gafka::tools::admin_metadata);
    sub("describe-cluster", "Print the etcd cluster's brokers, controller and controller epoch",
        gafka::tools::admin_describe_cluster);
    // promote's --broker is the id to promote (DESIGN.md), so the bootstrap
    // list has its own flag here.
    if (const char* env = std::getenv("GAFKA_BROKERS"); env && *env) o.brokers = env;
    auto* promote = app.add_subcommand("promote", "Make a follower the leader at a new epoch (manual failover)");
    promote->add_option("--bootstrap-server", o.brokers,
                        "Brokers HOST:PORT[,HOST:PORT...] to find it by (env GAFKA_BROKERS)");
    gafka::cli::add_auth_token_option(*promote);
    gafka::cli::add_tls_ca_option(*promote);
    promote->add_option("--broker", o.broker_id, "Id of the follower to promote")
        ->required()
        ->check(gafka::cli::in_range(0, INT32_MAX));
    promote->callback([&chosen] { chosen = gafka::tools::admin_promote; });
    auto* pf = sub("partition-for", "Print the partition a key goes to", gafka::tools::admin_partition_for);
    pf->add_option("--topic", o.topic, "Topic")->required();
    pf->add_option("--key", o.key, "Key")->required();

    // Consumer groups.
    std::string group;
    std::function<int()> group_command;
    auto group_sub = [&](const char* name, const char* help, std::function<int()> run) {
        auto* s = app.add_subcommand(name, help);
        gafka::cli::add_broker_option(*s, o.brokers);
        gafka::cli::add_auth_token_option(*s);
        gafka::cli::add_tls_ca_option(*s);
        s->callback([&group_command, run] { group_command = run; });
        return s;
    };
    group_sub("list-groups", "List consumer groups, one JSON line each",
              [&] { return gafka::tools::admin_list_groups(o.brokers, std::cout, std::cerr); });
    group_sub("describe-group", "Members, assignment, committed offsets and lag of a group", [&] {
        return gafka::tools::admin_describe_group(o.brokers, group, std::cout, std::cerr);
    })->add_option("--group", group, "Group id")->required();
    std::optional<std::int64_t> max_lag;
    auto* lag = group_sub("lag", "A group's total lag, for cron: exit 1 when over --max-lag", [&] {
        return gafka::tools::admin_lag(o.brokers, group, max_lag, std::cout, std::cerr);
    });
    lag->add_option("--group", group, "Group id")->required();
    lag->add_option("--max-lag", max_lag, "Exit 1 when the total lag is over N records")
        ->check(gafka::cli::in_range(0));
    group_sub("delete-group", "Delete a group's committed offsets (no members may be active)", [&] {
        return gafka::tools::admin_delete_group(o.brokers, group, std::cout, std::cerr);
    })->add_option("--group", group, "Group id")->required();
    gafka::tools::reset_options reset;
    auto* rs = group_sub("reset-offsets", "Move a group's committed offsets (prints the plan)", [&] {
        reset.brokers = o.brokers;
        return gafka::tools::admin_reset_offsets(reset, std::cout, std::cerr);
    });
    rs->add_option("--group", reset.group, "Group id")->required();
    rs->add_option("--topic", reset.topic, "Topic")->required();
    rs->add_option("--partition", reset.partition, "Only this partition")->check(gafka::cli::in_range(0, INT32_MAX));
    auto* earliest = rs->add_flag("--to-earliest", reset.to_earliest, "To the earliest record");
    auto* latest = rs->add_flag("--to-latest", reset.to_latest, "To the end (skip everything there now)");
    auto* to_offset = rs->add_option("--to-offset", reset.to_offset, "To this offset (clamped to the log)");
    auto* to_time = rs->add_option("--to-time", reset.to_time,
                                   "To the first record at or after this time (RFC 3339, -1h, or ms since the epoch)");
    auto* targets = rs->add_option_group("target", "Exactly one of");
    targets->add_option(earliest);
    targets->add_option(latest);
    targets->add_option(to_offset);
    targets->add_option(to_time);
    targets->require_option(1);
    rs->add_flag("--dry-run", reset.dry_run, "Print the plan and change nothing");

    return gafka::cli::run(app, argc, argv, [&] {
        return group_command ? group_command() : chosen(o, std::cout, std::cerr);
    });
}
