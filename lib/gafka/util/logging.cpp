#include "gafka/util/logging.h"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace gafka::util {

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    if (auto existing = spdlog::get(name)) return existing;
    auto l = spdlog::stderr_color_mt(name);
    l->set_level(spdlog::get_level());
    return l;
}

}  // namespace gafka::util
