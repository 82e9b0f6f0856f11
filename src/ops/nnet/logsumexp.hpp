// log(sum(exp(x), axes)) as one op, for the stabilize rewrite of that expression.
#pragma once

#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// m + log(sum(exp(x - m), axes, keepdims)) with m the maximum over `axes` (0 where that
// is not finite, as scipy's logsumexp): no overflow for any input, -inf for an all -inf
// or empty slice (where a max reduction would have no identity), +inf for a slice
// holding +inf, NaN for one holding NaN. `axes` sorted and distinct; x a float tensor.
// Pullback: g * exp(x - out), the softmax over the axes.
Var logsumexp(const Var& x, std::vector<int> axes, bool keepdims, const Loc& loc);

}  // namespace theon::detail
