#pragma once

#include <iosfwd>

namespace clustersync {

/// Exit statuses of clustersync-helper.
enum ExitStatus : int {
    kExitOk = 0,       ///< success (a valid model, or warnings only)
    kExitInvalid = 1,  ///< the model is invalid, or a file could not be written
    kExitUsage = 2,    ///< bad command line
};

/// The whole command line interface: parses argv, runs one subcommand, returns the exit status.
/// Writes only to the given streams, so tests can run it in-process.
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace clustersync
