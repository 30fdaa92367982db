#include "gafka/util/tcp_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace gafka::util {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The kernel keeps 15 characters of a congestion control's name
// (TCP_CA_NAME_MAX) and silently cuts a longer one.
constexpr std::size_t max_name_length = 15;

// The first line of a sysctl under /proc/sys/net/ipv4, or "?".
std::string ipv4_sysctl(const char* name) {
    std::ifstream in(std::string("/proc/sys/net/ipv4/") + name);
    std::string line;
    return std::getline(in, line) && !line.empty() ? line : "?";
}

}  // namespace

status set_congestion_control(int fd, const std::string& name) {
    if (name.empty() || name.size() > max_name_length)
        return status::invalid_argument("'" + name + "' is not a congestion control name (1 to 15 characters)");
    if (::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name.data(), static_cast<socklen_t>(name.size())) == 0)
        return {};
    auto e = errno;
    if (e == EPERM)
        return status::invalid_argument(name + " is not allowed for this process (net.ipv4.tcp_allowed_congestion_control: " +
                                        ipv4_sysctl("tcp_allowed_congestion_control") + ")");
    if (e == ENOENT)
        return status::invalid_argument(name + " is not offered by this kernel (net.ipv4.tcp_available_congestion_control: " +
                                        ipv4_sysctl("tcp_available_congestion_control") + ")");
    return status::invalid_argument(name + ": " + std::strerror(e));
}

status check_congestion_control(const std::string& name) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return status::io_error(std::string("socket: ") + std::strerror(errno));
    auto s = set_congestion_control(fd, name);
    ::close(fd);
    return s;
}

status listen_tcp(tcp::acceptor& acceptor, const std::string& address, std::uint16_t port, const std::string& label,
                  const std::string& congestion) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) return status::invalid_argument("invalid listen address '" + address + "'");
    tcp::endpoint ep(addr, port);
    auto where = address + ":" + std::to_string(port) + label;
    if (acceptor.open(ep.protocol(), ec); ec) return status::io_error("open " + where + ": " + ec.message());
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!congestion.empty())
        if (auto s = set_congestion_control(acceptor.native_handle(), congestion); !s.ok())
            return status::invalid_argument("congestion control of " + where + ": " + s.message());
    if (acceptor.bind(ep, ec); ec) return status::io_error("bind " + where + ": " + ec.message());
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
        return status::io_error("listen " + where + ": " + ec.message());
    return {};
}

}  // namespace gafka::util
