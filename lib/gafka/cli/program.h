#pragma once
// What every gafka program's main() shares: CLI11 set-up, mapping of parse
// results to the documented exit codes (usage errors 2, --help/--version 0),
// quiet ends on a closed stdout (`cmd | head`), and the last catch.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include <CLI/CLI.hpp>

namespace gafka::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_partial = 3;

const char* version();

// An app with --version and the program's name and description.
void configure_app(CLI::App& app);

// Parses argv into `app` and, if that worked, runs `body`, returning its exit
// code. Parse errors print "<prog>: error: ..." to stderr and give 2.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

// Adds --broker, defaulting to $GAFKA_BROKERS, else localhost:9001.
void add_broker_option(CLI::App& app, std::string& brokers);

// Adds --auth-token-file FILE (env GAFKA_AUTH_TOKEN_FILE): the first token
// of FILE becomes the bearer token every request sends
// (client/auth_token.h). An unreadable or token-less file is a usage error.
void add_auth_token_option(CLI::App& app);

// Adds --tls-ca FILE (env GAFKA_TLS_CA): talk HTTPS to the brokers,
// trusting only the CA certificates in FILE (client::set_default_tls). An
// unreadable file or one without a certificate is a usage error.
void add_tls_ca_option(CLI::App& app);

// A whole-number flag's range, checked as the flag is parsed (also when
// it comes from --config or the environment): a value outside [lo, hi] is a
// usage error (exit 2) that reads "--flag: 0 is not in 1..100", or with no
// upper bound "--flag: 0 is not 1 or more". The help shows the range as
// CLI11's own validators do.
CLI::Validator in_range(std::int64_t lo, std::int64_t hi = std::numeric_limits<std::int64_t>::max());
// A number (fractions allowed) more than 0: "--rate: 0 is not more than 0".
CLI::Validator positive_number();
// A number (fractions allowed) in [lo, hi]: "--fsync-gather: 11 is not in 0..10".
CLI::Validator number_in_range(double lo, double hi);

// Prints "<prog>: error: <message>" to stderr.
void print_error(const std::string& program, const std::string& message);

}  // namespace gafka::cli
