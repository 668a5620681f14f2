#pragma once
// Writing a word (path, pattern, host, key file) into a csync2 2.0 config file.

#include <string>

namespace clustersync {

/// The word as csync2's scanner (cfgfile_scanner.l) reads it back unchanged: bare when it can be,
/// else in double quotes. Quoted when it is empty, contains white space or one of `@ ; ( ) # "`,
/// ends in `:`, or equals a keyword or `{` / `}` (the scanner would read those as tokens).
/// An empty word comes out as `""`, which csync2 cannot read either; validation rejects it.
/// Precondition: no `"` in `word` (csync2 has no escapes; validation rejects it).
std::string csync2_word(const std::string& word);

/// The include pattern that matches exactly `path`: csync2 matches includes with fnmatch(3)
/// (escapes on), so `\\ * ? [` in a path are escaped with a backslash.
std::string fnmatch_literal(const std::string& path);

}  // namespace clustersync
