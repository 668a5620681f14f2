#include "probe_net.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "probe_fs.hpp"

namespace clustersync {
namespace {

/// The result list of getaddrinfo(), freed when it goes out of scope.
using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

/// Connects one socket to `a` within timeout_ms: 0, or the errno that says why not.
int connect_within(const addrinfo& a, int timeout_ms) {
    const UniqueFd fd(::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol));
    if (!fd) return errno;
    if (::connect(fd.get(), a.ai_addr, a.ai_addrlen) == 0) return 0;
    int err = errno;
    if (err != EINPROGRESS) return err;
    pollfd p{fd.get(), POLLOUT, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n == 0) return ETIMEDOUT;
    socklen_t len = sizeof err;
    if (n < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
}

}  // namespace

Status tcp_probe(const std::string& host, unsigned port, int timeout_ms) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (gai != 0) return Status::failure("cannot resolve " + host + ": " + ::gai_strerror(gai));
    const AddressList addrs(found, &::freeaddrinfo);
    std::string last_error = "no address";
    for (const addrinfo* a = addrs.get(); a; a = a->ai_next) {
        const int err = connect_within(*a, timeout_ms);
        if (err == 0) return Status();
        last_error = err == ETIMEDOUT ? "timed out after " + std::to_string(timeout_ms) + " ms" : errno_text(err);
    }
    return Status::failure(last_error);
}

}  // namespace clustersync
