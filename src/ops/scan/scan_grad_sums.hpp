// How the backward loop of a scan sums a non-sequence's gradient over its steps.
//
// The plain way carries a running sum shaped like the non-sequence and adds the step's
// gradient to it at every step. For a weight matrix read as W[k] or E[:, x_t], that
// gradient is a zeros-sized-like-W array with one slice filled in (inc_subtensor of
// zeros), and for a product W.h its slice is an outer product: each step then fills,
// adds and copies the whole of W to change a small part of it. Summation is linear, so
// the loop can carry less and the rest can happen once, after it:
// - inc_subtensor(Z, v, idx), Z a loop-invariant zero and idx invariant: carry the sum
//   of v only; afterwards inc_subtensor(Z, sum, idx).
// - the same with one integer index that changes per step (E[:, x_t]): stack v and the
//   index per step; afterwards one advanced inc_subtensor over all steps' indices
//   (repeated indices add up, as np.add.at).
// - dot(A_t, B_t) with both operands changing per step: stack A and B per step;
//   afterwards one matrix product over all steps (sum_t A_t B_t is [A_1..A_K][B_1;..;B_K]).
// Everything else is carried as before.
#pragma once

#include <functional>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// What the loop carries for one part of the gradient, and how the part's sum over the
// steps is formed from the loop's results.
struct StepSumPart {
  // Carried as a running sum (initial value `init`, an outer zero), or stacked per step.
  bool accumulate = true;
  Var init;
  Vars carried;  // inner values: the term (accumulated), or the values stacked per step
  // From the loop's results for `carried` (the accumulator's last value, or the stacked
  // values, one row per step), the part's sum over all steps, outside the loop.
  std::function<Var(const Vars& results)> finish;
};

// Splits `g`, the gradient of the outer non-sequence `w` at one backward step, into
// parts whose sums over the steps add up to the sum of `g`. `variant(v)` tells whether
// an inner value changes from step to step (depends on the sequences or the carried
// state); everything else reads only non-sequences and constants, so it can be used
// outside the loop as it is.
std::vector<StepSumPart> split_step_sum(const Var& g, const Var& w,
                                        const std::function<bool(const Var&)>& variant,
                                        const Loc& loc);

}  // namespace theon::detail
