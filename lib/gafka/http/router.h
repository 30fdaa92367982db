#pragma once
// The broker's routes, as one table: what route() dispatches on is what
// routes() lists, so the docs test (tests/unit/api_docs_test.cpp) checks
// every served endpoint against docs/api.md and docs/openapi.yaml.
#include <string>
#include <vector>

#include "gafka/http/context.h"

namespace gafka::http {

struct route_info {
    std::string method;   // "GET", "POST", "DELETE"
    std::string pattern;  // "/api/v1/topics/{name}"
};

std::vector<route_info> routes();

}  // namespace gafka::http
