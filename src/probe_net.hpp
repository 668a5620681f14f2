#pragma once
// The network as doctor probes it: can a peer's csync2 listener be reached?

#include <string>

#include "result.hpp"

namespace clustersync {

/// Opens a TCP connection to host:port and closes it; success, or why it failed ("Connection
/// refused", "timed out after 1000 ms", "cannot resolve ..."). Tries every address.
Status tcp_probe(const std::string& host, unsigned port, int timeout_ms);

}  // namespace clustersync
