// gafka-walcheck: verify (and explicitly repair) gafka logs offline.
#include <iostream>
#include <string>

#include "gafka/cli/program.h"
#include "gafka/tools/walcheck.h"

int main(int argc, char** argv) {
    CLI::App app{"Verify gafka data dirs, partition dirs or segment files offline; one JSON line per segment.",
                 "gafka-walcheck"};
    gafka::cli::configure_app(app);
    gafka::tools::walcheck_options opts;
    app.add_flag("--repair", opts.repair, "Cut a damaged tail after saving the cut bytes beside the segment");
    app.add_flag("--dump", opts.dump, "Print every readable record as a JSON line instead of segment summaries");
    app.add_flag("-q,--quiet", opts.quiet, "Print nothing on stdout; the exit status tells");
    std::string format = "json";
    app.add_option("--format", format,
                   "json (a line per segment), nagios (a status line; exit 0/2/3) or prometheus (textfile metrics)")
        ->check(CLI::IsMember({"json", "nagios", "prometheus"}));
    app.add_option("PATH", opts.paths, "Data dir, partition dir or *.log segment file")->required();
    return gafka::cli::run(app, argc, argv, [&] {
        opts.format = *gafka::tools::parse_walcheck_format(format);  // IsMember checked it
        return gafka::tools::run_walcheck(opts, std::cout, std::cerr);
    });
}
