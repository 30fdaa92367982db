#pragma once
// The Kafka API handlers, one file each (kafka/dispatch.h says the
// contract they share), and the pieces of them that are worth testing alone.
#include "gafka/kafka/dispatch.h"
#include "gafka/kafka/errors.h"

namespace gafka::kafka::handlers {

handler_result produce(const request& req, connection_context& conn);
handler_result fetch(const request& req, connection_context& conn);
handler_result api_versions(const request& req, connection_context& conn);
handler_result metadata(const request& req, connection_context& conn);
handler_result list_offsets(const request& req, connection_context& conn);
handler_result create_topics(const request& req, connection_context& conn);
handler_result delete_topics(const request& req, connection_context& conn);
handler_result create_partitions(const request& req, connection_context& conn);
handler_result sasl_handshake(const request& req, connection_context& conn);
handler_result sasl_authenticate(const request& req, connection_context& conn);
handler_result find_coordinator(const request& req, connection_context& conn);
handler_result join_group(const request& req, connection_context& conn);
handler_result sync_group(const request& req, connection_context& conn);
handler_result heartbeat(const request& req, connection_context& conn);
handler_result leave_group(const request& req, connection_context& conn);
handler_result offset_commit(const request& req, connection_context& conn);
handler_result offset_fetch(const request& req, connection_context& conn);
handler_result describe_groups(const request& req, connection_context& conn);
handler_result list_groups(const request& req, connection_context& conn);
handler_result init_producer_id(const request& req, connection_context& conn);

// The ApiVersions answer: the dispatch table's APIs and versions, with
// `error` (unsupported_version when a client asked for a version gafka does
// not serve: that answer is read as v0, so clients fall back).
value api_versions_answer(error_code error);

// The Metadata answer at `version` for the request body `req`, creating
// topics it names when both the request (allow_auto_topic_creation) and
// the broker (--auto-create-topics) allow it.
value metadata_answer(broker_context& broker, const value& req, api_version_t version);

// The user name and password of a SASL/PLAIN message (RFC 4616:
// [authzid] NUL authcid NUL passwd); nullopt when it is not one.
struct plain_credentials {
    std::string_view authzid, user, password;
};
std::optional<plain_credentials> parse_plain(std::string_view message);

// Checks a SASL/PLAIN message against the broker's tokens (the password must
// be one; any user name) and marks the connection authenticated; a failure
// is logged with the peer and the user name.
bool authenticate_plain(connection_context& conn, std::string_view message);

}  // namespace gafka::kafka::handlers
