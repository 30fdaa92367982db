// gafka-admin: topics and cluster metadata, as JSON lines.
#include <iostream>

#include "gafka/cli/program.h"
#include "gafka/tools/admin.h"

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
        s->callback([&chosen, h] { chosen = h; });
        return s;
    };
    auto* create = sub("create-topic", "Create a topic", gafka::tools::admin_create_topic);
    create->add_option("--name", o.name, "Topic name")->required();
    create->add_option("--partitions", o.partitions, "Number of partitions (1-100)")->check(CLI::Range(1, 100));
    create->add_option("--retention-bytes", o.retention_bytes, "Keep at most this many bytes per partition");
    create->add_option("--retention-ms", o.retention_ms, "Delete segments older than this many milliseconds");
    create->add_flag("--if-not-exists", o.if_not_exists, "Succeed quietly when the topic exists");
    sub("list-topics", "List topics, one JSON line each", gafka::tools::admin_list_topics);
    sub("describe-topic", "Describe a topic and its partitions", gafka::tools::admin_describe_topic)
        ->add_option("--name", o.name, "Topic name")
        ->required();
    sub("delete-topic", "Delete a topic and its data", gafka::tools::admin_delete_topic)
        ->add_option("--name", o.name, "Topic name")
        ->required();
    sub("metadata", "Print the cluster metadata", gafka::tools::admin_metadata);
    auto* pf = sub("partition-for", "Print the partition a key goes to", gafka::tools::admin_partition_for);
    pf->add_option("--topic", o.topic, "Topic")->required();
    pf->add_option("--key", o.key, "Key")->required();
    return gafka::cli::run(app, argc, argv, [&] { return chosen(o, std::cout, std::cerr); });
}
