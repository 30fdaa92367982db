#pragma once
// Where a cluster's state lives in etcd and what its values say (docs/cluster.md):
//   /gafka/<name>/brokers/<id>  a live broker's addresses, under its lease
//   /gafka/<name>/controller    the controller's id, under its lease; the
//                               key's create revision is the controller epoch
// Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "gafka/cluster/cluster_view.h"
#include "gafka/util/status.h"

namespace gafka::cluster {

struct cluster_keys {
    explicit cluster_keys(std::string_view name);
    std::string root;     // "/gafka/<name>/": every key of the cluster
    std::string brokers;  // "/gafka/<name>/brokers/"
    std::string controller;
    std::string broker(std::int32_t id) const { return brokers + std::to_string(id); }
};

// Cluster names are what topic names may be ([A-Za-z0-9._-], up to 255),
// so a name cannot reach outside its prefix.
status check_cluster_name(std::string_view name);

std::string encode_broker(const broker_registration& b);
result<broker_registration> decode_broker(std::string_view json);
std::string encode_controller(std::int32_t id);
result<std::int32_t> decode_controller(std::string_view json);

}  // namespace gafka::cluster
