#include "net.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/regex.hpp>

namespace clustersync {

bool is_ipv4(const std::string& text) {
    static const boost::regex re(R"((?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3})"
                                 R"((?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))");
    return boost::regex_match(text, re);
}

bool is_ipv6(const std::string& text) {
    // inet_pton is a pure parser and the reference for what the system accepts; the text
    // check first keeps it from seeing NUL bytes or anything longer than an address can be.
    static const boost::regex re(R"([0-9A-Fa-f:.]{2,45})");
    if (!boost::regex_match(text, re)) return false;
    in6_addr addr{};
    return inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

bool is_host_name(const std::string& text) {
    static const boost::regex re(R"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*)"
                                 R"([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)");
    if (text.size() > 253 || !boost::regex_match(text, re)) return false;
    const std::size_t last = text.rfind('.') + 1;  // 0 when there is no dot
    return !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(last), text.end(),
                        [](unsigned char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> address_or_block_problem(const std::string& text) {
    const std::size_t slash = text.find('/');
    const std::string address = text.substr(0, slash);
    const bool v4 = is_ipv4(address);
    const bool v6 = !v4 && is_ipv6(address);
    if (!v4 && !v6) return std::string("expected an IPv4 or IPv6 address or CIDR block");
    if (slash == std::string::npos) return std::nullopt;
    const std::string prefix = text.substr(slash + 1);
    static const boost::regex prefix_re(R"(0|[1-9][0-9]{0,3})");
    const unsigned max = v4 ? 32 : 128;
    if (!boost::regex_match(prefix, prefix_re)) return std::string("expected an IPv4 or IPv6 address or CIDR block");
    if (std::stoul(prefix) > max)
        return std::string("the prefix length of an ") + (v4 ? "IPv4" : "IPv6") + " block is 0 to " +
               std::to_string(max);
    return std::nullopt;
}

}  // namespace clustersync
