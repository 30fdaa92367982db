#include "gafka/server/kafka_metrics.h"

#include <string>

#include "gafka/kafka/dispatch.h"

namespace gafka::server {

void write_kafka_metrics(http::metrics_text& m, const kafka::broker_context& k) {
    m.family("gafka_kafka_requests_total", "counter", "Kafka requests received, by API (unknown: APIs gafka does not serve).");
    std::int64_t unknown = k.counters.unknown_api_requests();
    for (kafka::api_key_t key = 0; key < 128; ++key) {
        const auto* h = kafka::find_handler(key);
        if (h) m.sample("gafka_kafka_requests_total", {{"api", std::string(h->api->name)}}, k.counters.requests(key));
        else unknown += k.counters.requests(key);
    }
    m.sample("gafka_kafka_requests_total", {{"api", "unknown"}}, unknown);
    m.family("gafka_kafka_errors_total", "counter",
             "Kafka error codes answered, by code; each topic, partition or group an answer refuses counts once.");
    for (const auto& [code, n] : k.counters.errors())
        m.sample("gafka_kafka_errors_total", {{"code", std::to_string(code)}}, n);
    m.family("gafka_kafka_open_connections", "gauge", "Open Kafka client connections.");
    m.sample("gafka_kafka_open_connections", {}, k.open_connections.load());
    m.family("gafka_kafka_connections_refused_total", "counter",
             "Kafka connections closed at once over --max-connections.");
    m.sample("gafka_kafka_connections_refused_total", {}, k.refused_connections.load());
}

}  // namespace gafka::server
