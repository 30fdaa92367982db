#include "gafka/server/broker.h"

namespace gafka::server {

status apply_tls_flags(broker_config& config, const std::string& cert_file, const std::string& key_file,
                       const std::string& ca_file) {
    if (cert_file.empty() != key_file.empty())
        return status::invalid_argument(cert_file.empty() ? "--tls-key needs --tls-cert (the certificate it belongs to)"
                                                          : "--tls-cert needs --tls-key (its private key)");
    if (!ca_file.empty() && !config.follower)
        return status::invalid_argument("--tls-ca is only for --role follower (the CA its leader's certificate is "
                                        "signed by)");
    if (!cert_file.empty()) {
        auto server = tls::server_context(cert_file, key_file);
        if (!server.ok()) return server.error();
        config.tls_server = std::move(*server);
    }
    if (!ca_file.empty()) {
        auto leader = tls::client_context(ca_file);
        if (!leader.ok()) return leader.error();
        config.tls_leader = std::move(*leader);
    }
    return {};
}

}  // namespace gafka::server
