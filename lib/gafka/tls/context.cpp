#include "gafka/tls/context.h"

#include <fstream>

#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gafka::tls {
namespace ssl = boost::asio::ssl;
namespace {

constexpr auto tls12_and_newer = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1;

// OpenSSL names its errors well ("no start line", "key values mismatch")
// but only a file that exists and can be read gets a message of our own.
status bad_file(const std::string& what, const std::string& file, const boost::system::error_code& ec) {
    if (!std::ifstream(file)) return status::invalid_argument("cannot read " + what + " '" + file + "'");
    return status::invalid_argument("bad " + what + " '" + file + "': " + ec.message());
}

}  // namespace

result<context_ptr> server_context(const std::string& cert_file, const std::string& key_file) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(tls12_and_newer);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) return bad_file("TLS certificate", cert_file, ec);
    auto mismatch = [&] {
        return status::invalid_argument("TLS private key '" + key_file + "' does not belong to the certificate '" +
                                        cert_file + "'");
    };
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec && ec.category() == boost::asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
        return mismatch();
    if (ec) return bad_file("TLS private key", key_file, ec);
    if (::SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        ::ERR_clear_error();
        return mismatch();
    }
    return ctx;
}

result<context_ptr> client_context(const std::string& ca_file) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(tls12_and_newer);
    boost::system::error_code ec;
    ctx->load_verify_file(ca_file, ec);
    if (ec) return bad_file("TLS CA file", ca_file, ec);
    ctx->set_verify_mode(ssl::verify_peer);
    return ctx;
}

}  // namespace gafka::tls
