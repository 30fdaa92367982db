#pragma once
// One named spdlog logger per subsystem ("log", "broker", "http", ...), all to
// stderr. The library never writes to stdout.
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace gafka::util {

// The logger named `name`, created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

}  // namespace gafka::util
