// gafka-broker's cluster flags (broker.h).
#include "gafka/cluster/etcd_client.h"
#include "gafka/cluster/registration.h"
#include "gafka/server/broker.h"
#include "gafka/util/duration.h"

namespace gafka::server {

status apply_cluster_flags(broker_config& config, const std::string& url, const std::string& name,
                           const std::string& session_timeout) {
    auto timeout = util::parse_duration(session_timeout);
    if (!timeout.ok()) return status::invalid_argument("--cluster-session-timeout: " + timeout.error().message());
    if (*timeout < std::chrono::seconds(1))
        return status::invalid_argument("--cluster-session-timeout must be at least 1s (etcd leases count seconds)");
    if (auto s = cluster::check_cluster_name(name); !s.ok()) return s;
    config.cluster_name = name;
    config.cluster_session_timeout = *timeout;
    if (url.empty()) return {};
    auto endpoints = cluster::parse_cluster_url(url);
    if (!endpoints.ok()) return endpoints.error();
    config.cluster_endpoints = *endpoints;
    return {};
}

}  // namespace gafka::server
