#pragma once
// The Kafka listener's part of /metrics (docs/api.md lists the families):
// written by the process assembly, which sees both protocol layers, so
// neither includes the other.
#include "gafka/http/metrics_text.h"
#include "gafka/kafka/context.h"

namespace gafka::server {

// gafka_kafka_requests_total{api}, gafka_kafka_errors_total{code},
// gafka_kafka_open_connections and gafka_kafka_connections_refused_total.
void write_kafka_metrics(http::metrics_text& m, const kafka::broker_context& k);

}  // namespace gafka::server
