// Helpers shared by the algebraic phases (canonicalize, specialize): folding a small
// constant expression at once, and telling whether a rebuilt expression is the one
// already in the graph (so that a rule rebuilding its input does not loop).
#pragma once

#include <optional>

#include "theon/graph.hpp"

namespace theon::rewrite {

// `v` computed now: v is a constant (returned as is) or the output of a node whose
// inputs are all constants; the value comes back as a constant of v's exact type.
Var fold_now(const Var& v);

// `c` (a constant) converted to `dtype`, computed now.
Var constant_as(const Var& c, DType dtype);

// Whether `a` and `b` compute the same thing by the same nodes: the same variable, equal
// constants of equal type, or equal ops applied to structurally equal inputs.
bool same_structure(const Var& a, const Var& b);

// A constant whose dimensions are all broadcastable (a scalar in effect) and whose value
// is real: that value.
std::optional<double> scalar_value(const Var& v);

// Whether `value` is +-2**k, so that multiplying or dividing by it is exact.
bool is_power_of_two(double value);

}  // namespace theon::rewrite
