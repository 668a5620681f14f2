#pragma once

#include <string>
#include <vector>

namespace clustersync {

/// How bad a finding is: errors make the model invalid, warnings are only reported.
enum class Severity { Error, Warning };

/// One finding about the model, located by a parameter path such as
/// `serversets.uploads.servers[2]` (empty path: the document as a whole).
struct Diagnostic {
    Severity severity = Severity::Error;
    std::string path;
    std::string message;
};

/// Renders "PATH: MESSAGE" (or just MESSAGE for an empty path): the one-line form every
/// caller prints, and the text tests pin.
std::string to_string(const Diagnostic& d);

/// True when any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& ds);

/// Quotes a value for a message the way JSON would, so control characters stay visible. A
/// value over 8 KiB is shown as its first 64 bytes, "...", and its length in bytes.
std::string quote(const std::string& value);

}  // namespace clustersync
