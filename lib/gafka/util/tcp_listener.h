#pragma once
// A listening TCP socket as both of gafka-broker's listeners open it, and
// the TCP congestion control its connections use (--tcp-congestion).
#include <utility>  // before Boost.Asio (awaitable with g++ 12)

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "gafka/util/status.h"

namespace gafka::util {

// Opens `acceptor` on address:port with SO_REUSEADDR, binds and listens.
// With `congestion` not empty, the listening socket gets that congestion
// control (TCP_CONGESTION), which every connection it accepts inherits;
// empty: the system's (net.ipv4.tcp_congestion_control). Errors name
// "address:port" followed by `label` (e.g. " (Kafka)").
status listen_tcp(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address, std::uint16_t port,
                  const std::string& label, const std::string& congestion);

// Sets socket `fd`'s congestion control to `name`. invalid_argument says
// why not: unknown to the kernel (with the ones it offers), not allowed
// for an unprivileged process (with the ones it allows), or a name longer
// than the kernel's 15 characters.
status set_congestion_control(int fd, const std::string& name);

// Whether this process may use congestion control `name`: set on a
// throwaway socket (set_congestion_control's errors).
status check_congestion_control(const std::string& name);

}  // namespace gafka::util
