// Copying graphs with substitutions (Theano's theano.clone).
#pragma once

#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// Copies the graph of `outputs`, reading each replace[i].second wherever the original
// read replace[i].first. Sources (inputs, constants, shared variables) are kept, not
// copied; nodes that reach no replaced variable are shared with the original graph.
// Each replacement must have the replaced variable's dtype and rank.
Vars clone(const Vars& outputs, const std::vector<std::pair<Var, Var>>& replace);
Var clone(const Var& output, const std::vector<std::pair<Var, Var>>& replace);

}  // namespace theon
