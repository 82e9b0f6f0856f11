// The CHECK mode (Theano's DebugMode in spirit): every call also evaluates, for each
// replacement the rewrites made, the replaced variable and its replacement on the same
// inputs, and the unoptimized graph's outputs, and raises RewriteCheckError naming the
// first rewrite whose result differs beyond tolerance.
#pragma once

#include <memory>
#include <vector>

#include "backend/vm/vm.hpp"
#include "rewrite/rewriter.hpp"

namespace theon::detail {

class RewriteChecker {
 public:
  // `optimized` is the function's rewritten graph; `reference` the same function
  // unrewritten (built from the same inputs); `history` the replacements made.
  RewriteChecker(const FunctionGraph& optimized, std::unique_ptr<FunctionGraph> reference,
                 const std::vector<rewrite::Applied>& history);
  ~RewriteChecker();

  // Evaluates everything on `inputs` (the function's bound input values, in order) and
  // compares; `outputs` are the optimized function's results (outputs and update values).
  void check(std::span<const NDArray> inputs, std::span<const NDArray> outputs);

 private:
  struct Evaluator;
  std::unique_ptr<Evaluator> pairs_;      // old and new variable of every replacement
  std::unique_ptr<Evaluator> reference_;  // the unoptimized graph
  std::vector<rewrite::Applied> history_;
};

// Whether two values agree: the same shape; integers and bools exactly; floats within
// rtol 1e-5 / atol 1e-8 (float64) or 1e-3 / 1e-5 (float32 and lower). A non-finite
// `expected` value accepts anything (a stabilizing rewrite turns inf into a number).
// On a mismatch, `why` says where and by how much.
bool values_agree(const NDArray& expected, const NDArray& got, std::string& why);

}  // namespace theon::detail
