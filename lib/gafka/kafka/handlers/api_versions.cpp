// ApiVersions (18): the APIs and versions of the dispatch table.
#include "gafka/kafka/handlers/handlers.h"
#include "gafka/kafka/messages/api_versions.h"

namespace gafka::kafka::handlers {

value api_versions_answer(error_code error) {
    auto body = value::make(*messages::api_versions.response);
    body.set("error_code", code(error));
    for (const auto& h : dispatch_table())
        body.add("api_keys").set("api_key", h.api->key).set("min_version", h.served.min).set("max_version", h.served.max);
    return body;
}

handler_result api_versions(const request&, connection_context&) { co_return api_versions_answer(error_code::none); }

}  // namespace gafka::kafka::handlers
