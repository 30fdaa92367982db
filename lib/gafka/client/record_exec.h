#pragma once
// gafka-consume --exec: runs a shell command once per record, the record on
// its standard input, its standard output and error the consumer's own.
// While the command runs, `keep_alive` is called every `keep_alive_every`
// so the group member's session does not run out under a slow command.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gafka/util/status.h"

namespace gafka::client {

struct exec_outcome {
    int exit_status = 0;  // the command's exit status; 128 + N when killed by signal N
    bool ok() const { return exit_status == 0; }
};

// Runs `/bin/sh -c command` with `input` on its stdin and `env` added to the
// environment. Fails only when the command cannot be started.
result<exec_outcome> run_for_record(const std::string& command, std::string_view input,
                                    const std::vector<std::pair<std::string, std::string>>& env,
                                    const std::function<void()>& keep_alive,
                                    std::chrono::milliseconds keep_alive_every);

}  // namespace gafka::client
