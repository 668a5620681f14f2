#pragma once
// Syntax of host names, IP addresses and CIDR blocks, as the model uses them.

#include <optional>
#include <string>

namespace clustersync {

/// True for a dotted-quad IPv4 address, each part 0..255 without leading zeros
/// (a leading zero reads as octal to some tools: "010" would be 8 to them, 10 to others).
bool is_ipv4(const std::string& text);

/// True for an IPv6 address in any RFC 4291 text form (including "::" and an embedded IPv4
/// tail), without a zone ("%eth0") or brackets.
bool is_ipv6(const std::string& text);

/// True for an RFC 1123 host name: dot-separated labels of 1 to 63 letters, digits and
/// hyphens, no hyphen at either end of a label, at most 253 characters, no trailing dot, and a
/// last label that is not all digits (so "10.0.0.300" is a bad address, not a host name).
bool is_host_name(const std::string& text);

/// Why `text` is not an IPv4 or IPv6 address or CIDR block ("10.0.0.0/24", "fd00::/8"),
/// or nothing when it is one.
std::optional<std::string> address_or_block_problem(const std::string& text);

}  // namespace clustersync
