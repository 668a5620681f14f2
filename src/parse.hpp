#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "diagnostic.hpp"
#include "model.hpp"

namespace clustersync {

/// What parsing a JSON model produced: the model (with defaults where keys are absent)
/// and every structural problem found (syntax, wrong JSON types, unknown keys).
struct ParseResult {
    Model model;
    std::vector<Diagnostic> diagnostics;
};

/// The deepest nesting of arrays and objects a model text may have (a valid model has 4).
inline constexpr std::size_t kMaxModelDepth = 32;

/// Turns JSON text into a Model. Never throws on bad input; problems go to diagnostics.
ParseResult parse_model(const std::string& json_text);

}  // namespace clustersync
