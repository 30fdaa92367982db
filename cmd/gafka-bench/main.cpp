// gafka-bench: load generator and storage benchmarks; one JSON summary on stdout.
#include <unistd.h>

#include <iostream>

#include "gafka/cli/program.h"
#include "gafka/tools/bench_options.h"
#include "gafka/tools/bench_storage.h"

int main(int argc, char** argv) {
    CLI::App app{"Benchmark gafka; prints one JSON summary line on stdout.", "gafka-bench"};
    gafka::cli::configure_app(app);
    app.require_subcommand(1);

    using gafka::tools::load_mode;
    gafka::tools::load_bench_options produce, consume, e2e;
    auto* p = app.add_subcommand("produce", "Send records to a broker and time their acknowledgements");
    gafka::tools::add_load_options(*p, produce, load_mode::produce);
    auto* c = app.add_subcommand("consume", "Read records from the start of a topic (catch-up) and time it");
    gafka::tools::add_load_options(*c, consume, load_mode::consume);
    auto* e = app.add_subcommand("e2e", "Produce and consume at once; latency from intended send to receipt");
    gafka::tools::add_load_options(*e, e2e, load_mode::e2e);

    gafka::tools::append_bench_options append;
    auto* a = app.add_subcommand("append", "Append records straight into a partition log (no broker)");
    a->add_option("--dir", append.dir, "Partition directory to write")->required();
    a->add_option("--messages", append.messages, "Records to append")->check(gafka::cli::in_range(1));
    a->add_option("--size", append.size, "Bytes per record value")->check(gafka::cli::in_range(0));
    a->add_option("--batch-size", append.batch_size, "Records per batch")->check(gafka::cli::in_range(1));
    a->add_option("--segment-bytes", append.segment_bytes, "Segment size at which the log rolls");
    a->add_flag("--fsync", append.fsync, "fsync every batch before the next (group commit path)");
    a->add_flag("--crash", append.crash, "Leave without a clean close, as kill -9 would");

    std::filesystem::path recover_dir;
    auto* r = app.add_subcommand("recover", "Open a partition log as the broker does at start and time recovery");
    r->add_option("--dir", recover_dir, "Partition directory to open")->required();

    return gafka::cli::run(app, argc, argv, [&] {
        for (auto [sub, opts] : {std::pair{p, &produce}, std::pair{c, &consume}, std::pair{e, &e2e}})
            if (*sub) {
                opts->progress = isatty(STDERR_FILENO);
                return gafka::tools::run_load_bench(*opts, std::cout, std::cerr);
            }
        if (*a) {
            append.progress = isatty(STDERR_FILENO);
            return gafka::tools::run_append_bench(append, std::cout, std::cerr);
        }
        return gafka::tools::run_recover_bench(recover_dir, std::cout, std::cerr);
    });
}
