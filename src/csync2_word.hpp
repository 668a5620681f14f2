#pragma once
// Writing a word (path, pattern, host, key file) into a csync2 2.0 config file.

#include <string>

namespace clustersync {

/// The word as csync2's scanner (cfgfile_scanner.l) reads it back unchanged: bare when it can be,
/// else in double quotes. Quoted when it is empty, contains white space or one of `@ ; ( ) # "`,
/// ends in `:`, or equals a keyword or `{` / `}` (the scanner would read those as tokens).
/// Precondition: no `"` in `word` (csync2 has no escapes; validation rejects it).
std::string csync2_word(const std::string& word);

}  // namespace clustersync
