#include "gafka/cli/program.h"

#include "gafka/client/auth_token.h"
#include "gafka/client/client_stream.h"
#include "gafka/tls/context.h"
#include "gafka/util/token_file.h"

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <iostream>

#include <unistd.h>

#ifndef GAFKA_VERSION
#define GAFKA_VERSION "0.0.0"
#endif

namespace gafka::cli {
namespace {

// The reader of our stdout went away (`| head`): that is a normal end.
extern "C" void quiet_exit_on_sigpipe(int) { _exit(exit_ok); }

}  // namespace

const char* version() { return GAFKA_VERSION; }

void configure_app(CLI::App& app) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + version());
    app.option_defaults()->always_capture_default();
}

void add_broker_option(CLI::App& app, std::string& brokers) {
    const char* env = std::getenv("GAFKA_BROKERS");
    brokers = env && *env ? env : "localhost:9001";
    app.add_option("--broker", brokers, "Bootstrap brokers HOST:PORT[,HOST:PORT...] (env GAFKA_BROKERS)");
}

void add_auth_token_option(CLI::App& app) {
    // A validator so that a bad file, given as a flag or through the
    // environment, is a parse error (exit 2) before anything is sent.
    CLI::Validator load_token(
        [](std::string& path) -> std::string {
            if (path.empty()) return {};  // GAFKA_AUTH_TOKEN_FILE= : no token
            auto tokens = util::read_token_file(path);
            if (!tokens.ok()) return tokens.error().message();
            client::set_auth_token(tokens->front());
            return {};
        },
        "");  // no name: the help shows "--auth-token-file FILE", not "FILE:FILE"
    app.add_option("--auth-token-file")
        ->description("Send the first token of FILE as a bearer token (env GAFKA_AUTH_TOKEN_FILE)")
        ->type_name("FILE")
        ->envname("GAFKA_AUTH_TOKEN_FILE")
        ->check(load_token);
}

void add_tls_ca_option(CLI::App& app) {
    // Loaded by a validator, as --auth-token-file is: a bad file, as a flag
    // or through the environment, is a parse error (exit 2).
    CLI::Validator load_ca(
        [](std::string& path) -> std::string {
            if (path.empty()) return {};  // GAFKA_TLS_CA= : plain HTTP
            auto ctx = tls::client_context(path);
            if (!ctx.ok()) return ctx.error().message();
            client::set_default_tls(*ctx);
            return {};
        },
        "");  // no name: the help shows "--tls-ca FILE", not "FILE:FILE"
    app.add_option("--tls-ca")
        ->description("Use HTTPS, trusting brokers whose certificate a CA in FILE signed (env GAFKA_TLS_CA)")
        ->type_name("FILE")
        ->envname("GAFKA_TLS_CA")
        ->check(load_ca);
}

CLI::Validator in_range(std::int64_t lo, std::int64_t hi) {
    bool bounded = hi != std::numeric_limits<std::int64_t>::max();
    std::string description = bounded   ? "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]"
                              : lo == 0 ? "NONNEGATIVE"
                              : lo == 1 ? "POSITIVE"
                                        : "INT >= " + std::to_string(lo);
    return CLI::Validator(
        [lo, hi, bounded](std::string& text) -> std::string {
            std::int64_t v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            // Too big for int64 is out of any range we take; say which.
            bool out_of_range = ec == std::errc::result_out_of_range;
            if (!out_of_range && (ec != std::errc() || end != text.data() + text.size()))
                return "'" + text + "' is not a whole number";
            if (!out_of_range && v >= lo && v <= hi) return {};
            return text + (bounded ? " is not in " + std::to_string(lo) + ".." + std::to_string(hi)
                                   : " is not " + std::to_string(lo) + " or more");
        },
        description);
}

CLI::Validator positive_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc() || end != text.data() + text.size()) return "'" + text + "' is not a number";
            return v > 0 ? "" : text + " is not more than 0";
        },
        "POSITIVE");
}

CLI::Validator number_in_range(double lo, double hi) {
    auto shown = [](double v) { return CLI::detail::to_string(v); };
    return CLI::Validator(
        [lo, hi, bounds = shown(lo) + ".." + shown(hi)](std::string& text) -> std::string {
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc::invalid_argument || end != text.data() + text.size())
                return "'" + text + "' is not a number";
            return ec == std::errc() && v >= lo && v <= hi ? "" : text + " is not in " + bounds;
        },
        "NUMBER in [" + shown(lo) + " - " + shown(hi) + "]");
}

void print_error(const std::string& program, const std::string& message) {
    std::cerr << program << ": error: " << message << std::endl;
}

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
    std::signal(SIGPIPE, quiet_exit_on_sigpipe);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return exit_ok;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return exit_ok;
    } catch (const CLI::CallForVersion& e) {
        std::cout << e.what() << "\n";
        return exit_ok;
    } catch (const CLI::ParseError& e) {
        print_error(app.get_name(), e.what());
        std::cerr << "Try '" << app.get_name() << " --help' for more information." << std::endl;
        return exit_usage;
    }
    try {
        return body();
    } catch (const std::exception& e) {
        print_error(app.get_name(), e.what());
        return exit_failure;
    }
}

}  // namespace gafka::cli
