#pragma once
// util::await_status, by the name the HTTP handlers use.
#include "gafka/util/await_status.h"

namespace gafka::http {
using util::await_status;
}  // namespace gafka::http
