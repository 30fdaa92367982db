#pragma once
// A topic creation forwarded to the controller (docs/cluster.md, "Creating
// a topic in a cluster"): a broker that is not the controller and must
// create a topic by itself (auto-creation on a produce or a Metadata
// request) sends POST /api/v1/topics to the controller's advertised HTTP
// address, with its own first bearer token and the TLS settings its replica
// fetchers use. The pieces that decide (where to, what to send, what the
// answer means) are pure; forward_create_topic does the one blocking call.
#include <chrono>
#include <cstdint>
#include <string>

#include "gafka/client/http_connection.h"
#include "gafka/cluster/cluster_view.h"
#include "gafka/tls/context.h"
#include "gafka/util/host_port.h"
#include "gafka/util/status.h"

namespace gafka::server {

// The controller's advertised HTTP address in `view`. unavailable when no
// controller is known, or its registration is not live.
result<util::host_port> controller_address(const cluster::cluster_view& view);

// The body of the forwarded POST /api/v1/topics: the name and the partition
// count (the controller picks the default replication factor and config).
std::string forward_body(const std::string& topic, std::int32_t partitions);

// What the controller's answer means for the creation: ok when it recorded
// the topic (201) or etcd had it already (409 topic_exists); not_leader when
// it is no longer the controller (421); invalid_argument for a request it
// refused (400, 404); unavailable for anything else (401, 503, ...). The
// message carries the controller's own.
status forward_outcome(const client::http_reply& reply);

struct forward_options {
    std::string auth_token;  // sent as a bearer token; empty: none
    tls::context_ptr tls;    // HTTPS to the controller; null: plain HTTP
    std::chrono::milliseconds timeout{6000};
};

// Sends the creation of `topic` to the controller at `controller` and
// waits for its answer (at most `o.timeout`). A transport failure is
// unavailable. Blocking: call it off the io threads.
status forward_create_topic(const util::host_port& controller, const std::string& topic, std::int32_t partitions,
                            const forward_options& o);

}  // namespace gafka::server
