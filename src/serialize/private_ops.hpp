// Makers of the op classes that are private to their op files (gradient ops mostly), for
// their codecs (codecs_grad_ops.cpp). Each is defined in the op's own file, next to its
// class, so the class stays private and the codec needs no copy of it.
#pragma once

#include <memory>

#include "theon/graph.hpp"

namespace theon::detail {

// sort.cpp: out[i] = x[perm[i]] along `axis`, or (inverse, "unpermute") out[perm[i]] = x[i].
std::shared_ptr<const Op> make_permute_op(int axis, bool inverse);
// repeat.cpp: the gradient of repeat along `axis`.
std::shared_ptr<const Op> make_repeat_grad_op(int axis);
// cumulative.cpp: the gradient of cumprod along `axis`.
std::shared_ptr<const Op> make_cumprod_grad_op(int axis);
// eigen.cpp: the gradient of eigh with UPLO 'L' or 'U'.
std::shared_ptr<const Op> make_eigh_grad_op(char uplo);
// expm.cpp: the gradient of expm.
std::shared_ptr<const Op> make_expm_grad_op();
// diag.cpp: zeros of x's shape with g on the diagonal (extract_diag's adjoint).
std::shared_ptr<const Op> make_set_diagonal_op(int offset, int axis1, int axis2);

// jacobian.cpp: the rows of a jacobian, computed by the inner graph `row` of the row
// `index` and the graph's `free` inputs.
struct JacobianRowsParts {
  Var index, row;
  Vars free;
};
std::shared_ptr<const Op> make_jacobian_rows_op(JacobianRowsParts parts);
// The parts of a jacobian_rows op (the op must be one).
JacobianRowsParts jacobian_rows_parts(const Op& op);

}  // namespace theon::detail
