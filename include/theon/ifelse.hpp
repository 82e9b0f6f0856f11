// ifelse: a lazy conditional. Only the branch that is taken is computed, unlike
// switch_, which computes both and chooses element by element.
#pragma once

#include <vector>

#include "theon/tensor.hpp"

namespace theon {

// `cond` is a scalar (any numeric dtype; non-zero is true). The branches must have the
// same rank; their dtypes are promoted as for element-wise operations.
Var ifelse(VarArg cond, VarArg then_branch, VarArg else_branch);
Vars ifelse(VarArg cond, const Vars& then_branches, const Vars& else_branches);

}  // namespace theon
