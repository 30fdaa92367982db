#pragma once
// The two TLS contexts gafka uses (Boost.Asio SSL over OpenSSL), checked when
// they are made, so that a bad certificate, key or CA file is an error at
// start and never a surprise on the first connection.
//
// Both allow TLS 1.2 and newer only. A context is immutable once made and
// may be shared by any number of threads and connections (OpenSSL's SSL_CTX
// is safe for that once configured).
#include <memory>
#include <string>

#include "gafka/util/status.h"

namespace boost::asio::ssl {
class context;
}

namespace gafka::tls {

using context_ptr = std::shared_ptr<boost::asio::ssl::context>;

// The broker's side: its certificate chain and private key, both PEM files
// (the chain file may hold intermediates after the certificate). Fails
// (invalid_argument) when either file is missing, unreadable or not PEM, or
// when the key does not belong to the certificate.
result<context_ptr> server_context(const std::string& cert_file, const std::string& key_file);

// A client's side: trusts only the CA certificates in `ca_file` (PEM), and
// requires every server to present a certificate they signed. Host names
// are checked per connection (client/client_stream). Fails
// (invalid_argument) when the file is missing, unreadable or holds no
// certificate.
result<context_ptr> client_context(const std::string& ca_file);

}  // namespace gafka::tls
