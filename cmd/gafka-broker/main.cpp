// gafka-broker: serves topics over HTTP/JSON until SIGTERM or SIGINT.
#include "gafka/broker/broker.h"
#include "gafka/cli/program.h"

int main(int argc, char** argv) {
    CLI::App app{"Serve gafka topics over HTTP/JSON until SIGTERM or SIGINT.", "gafka-broker"};
    gafka::cli::configure_app(app);
    gafka::broker::broker_config c;
    std::string flush = "always";
    app.set_config("--config", "", "Read settings from a TOML/INI file; flags given on the command line win");
    app.allow_config_extras(CLI::config_extras_mode::error);  // a typo in the file is an error, not ignored
    app.add_option("--id", c.id, "Broker id")->check(CLI::NonNegativeNumber);
    app.add_option("--port", c.port, "TCP port to listen on (0: any free port)");
    app.add_option("--listen", c.listen, "Address to listen on");
    app.add_option("--advertised-host", c.advertised_host, "Host name given to clients in metadata");
    app.add_option("--data-dir", c.data_dir, "Directory holding the logs")->required();
    app.add_option("--flush", flush, "When to fsync: always, interval:MS or never");
    app.add_option("--default-partitions", c.default_partitions, "Partitions of auto-created topics")
        ->check(CLI::Range(1, 100));
    app.add_flag("--auto-create-topics,!--no-auto-create-topics", c.auto_create_topics,
                 "Create a topic on its first produce");
    app.add_option("--segment-bytes", c.segment_bytes, "Segment size at which a partition log rolls");
    app.add_option("--io-threads", c.io_threads, "Threads serving connections")->check(CLI::Range(1, 64));
    return gafka::cli::run(app, argc, argv, [&] {
        auto policy = gafka::broker::parse_flush_policy(flush);
        if (!policy.ok()) {
            gafka::cli::print_error("gafka-broker", policy.error().message());
            return gafka::cli::exit_usage;
        }
        c.flush = *policy;
        return gafka::broker::run_broker(c);
    });
}
