#pragma once

#include <vector>

#include "diagnostic.hpp"
#include "model.hpp"

namespace clustersync {

/// Checks every rule of the model (see README "Model") and returns every finding at once,
/// in a stable order. An empty result or warnings only means the model can be rendered.
std::vector<Diagnostic> validate(const Model& model);

}  // namespace clustersync
