// The parts of a non-sequence's gradient in the backward loop (scan_grad_sums.hpp).
#include "ops/scan/scan_grad_sums.hpp"

#include "grad/symbolic_zero.hpp"
#include "ops/blas.hpp"
#include "ops/elemwise.hpp"
#include "ops/subtensor.hpp"
#include "theon/blas.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"
#include "theon/tensor.hpp"

namespace theon::detail {
namespace {

namespace T = tensor;

// The terms of an n-ary add tree (a term read elsewhere too is still just a term).
Vars add_terms(const Var& g) {
  Vars terms, stack{g};
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    const auto* add = v.owner() ? dynamic_cast<const Elemwise*>(&v.owner()->op()) : nullptr;
    if (add && add->scalar_op() == ScalarOpId::Add && add->out_dtype() == v.dtype()) {
      for (auto it = v.owner()->inputs.rbegin(); it != v.owner()->inputs.rend(); ++it)
        stack.push_back(*it);
      continue;
    }
    terms.push_back(v);
  }
  return terms;
}

const IncSubtensor* inc_of(const Var& v) {
  const auto* inc = v.owner() ? dynamic_cast<const IncSubtensor*>(&v.owner()->op()) : nullptr;
  return inc && !inc->is_set() ? inc : nullptr;
}

bool is_full_slice(const IndexEntry& e) {
  using K = IndexBound::Kind;
  return e.is_slice && e.start.kind == K::Absent && e.stop.kind == K::Absent &&
         e.step.kind == K::Absent;
}

// dot(A_t, B_t) of two matrices that both change per step: stacked, one product after.
bool stack_dot(const Var& term, const std::function<bool(const Var&)>& variant, const Loc& loc,
               std::vector<StepSumPart>& parts, const std::function<Var(Var)>& wrap) {
  if (!term.owner() || !dynamic_cast<const Dot*>(&term.owner()->op())) return false;
  const Var& a = term.owner()->inputs[0];
  const Var& b = term.owner()->inputs[1];
  if (a.ndim() != 2 || b.ndim() != 2 || !variant(a) || !variant(b)) return false;
  StepSumPart part;
  part.accumulate = false;
  part.carried = {a, b};
  const bool outer = a.broadcastable()[1] && b.broadcastable()[0];  // a column times a row
  part.finish = [loc, wrap, outer, type = term.type()](const Vars& r) {
    // r[0]: (K, m, k), r[1]: (K, k, n) -> [A_1 .. A_K] (m, K*k) . [B_1; ..; B_K] (K*k, n).
    // For outer products (k = 1) that is A^T B over the stacked vectors, without copies.
    const Var& as = r[0];
    const Var& bs = r[1];
    auto len = [&](const Var& x, int d) { return VarArg(T::shape_i(VarArg(x, loc), d), loc); };
    Var left, right;
    if (outer) {  // drop the broadcastable k axes: two views
      left = T::dimshuffle(VarArg(as, loc), {1, 0});
      right = T::dimshuffle(VarArg(bs, loc), {0, 2});
    } else {
      Var inner = T::shape_i(VarArg(as, loc), 0) * len(as, 2);
      left = T::reshape(T::dimshuffle(VarArg(as, loc), {1, 0, 2}),
                        ShapeArg({len(as, 1), VarArg(inner, loc)}, loc));
      right = T::reshape(VarArg(bs, loc), ShapeArg({VarArg(inner, loc), len(bs, 2)}, loc));
    }
    Var sum =
        T::patternbroadcast(T::dot(VarArg(left, loc), VarArg(right, loc)), type.broadcastable);
    return wrap(sum);
  };
  parts.push_back(std::move(part));
  return true;
}

// A term summed as it is.
void accumulate(const Var& term, const Var& init, const std::function<Var(Var)>& wrap,
                std::vector<StepSumPart>& parts) {
  StepSumPart part;
  part.init = init;
  part.carried = {term};
  part.finish = [wrap](const Vars& r) { return wrap(r[0]); };
  parts.push_back(std::move(part));
}

}  // namespace

std::vector<StepSumPart> split_step_sum(const Var& g, const Var& w,
                                        const std::function<bool(const Var&)>& variant,
                                        const Loc& loc) {
  std::vector<StepSumPart> parts;
  if (is_symbolic_zero(g)) return parts;
  const auto same = [](Var v) { return v; };
  Vars rest;
  for (const Var& term : add_terms(g)) {
    if (term.type() != w.type() || !variant(term)) {
      rest.push_back(term);
      continue;
    }
    const IncSubtensor* inc = inc_of(term);
    const ApplyNode* node = term.owner();
    if (inc && is_symbolic_zero(node->inputs[0]) && !variant(node->inputs[0])) {
      const Var zero = node->inputs[0];
      const Var& v = node->inputs[1];
      const IndexList& list = inc->index_list();
      const Vars bounds(node->inputs.begin() + 2, node->inputs.end());
      std::vector<int> varying;
      for (size_t i = 0; i < bounds.size(); ++i)
        if (variant(bounds[i])) varying.push_back(static_cast<int>(i));
      if (varying.empty()) {
        // inc_subtensor(Z, v, idx): sum v in the loop (or its stacked product), then
        // put the sum in place once.
        auto wrap = [zero, list, bounds, loc](Var sum) {
          return inc_subtensor(zero, sum, list, bounds, /*set=*/false, loc);
        };
        if (stack_dot(v, variant, loc, parts, wrap)) continue;
        accumulate(v, T::zeros_like(VarArg(subtensor(zero, list, bounds, loc), loc)), wrap, parts);
        continue;
      }
      // One integer index that changes per step, every other entry a full slice, and
      // a value of the indexed part's rank: stack the values and the indices.
      int axis = -1;
      bool simple = varying.size() == 1 && v.ndim() == zero.ndim() - 1;
      for (size_t i = 0; i < list.size() && simple; ++i) {
        if (is_full_slice(list[i])) continue;
        simple = axis < 0 && !list[i].is_slice && list[i].start.is_input();
        axis = static_cast<int>(i);
      }
      if (simple && axis >= 0) {
        StepSumPart part;
        part.accumulate = false;
        part.carried = {v, bounds[varying[0]]};
        part.finish = [zero, axis, loc, n_entries = list.size()](const Vars& r) {
          // r[0]: (K, ...) values, r[1]: (K,) indices. Move the step axis to `axis`.
          std::vector<DimEntry> pattern;
          for (int d = 1; d <= axis; ++d) pattern.emplace_back(d);
          pattern.emplace_back(0);
          for (int d = axis + 1; d < r[0].ndim(); ++d) pattern.emplace_back(d);
          std::vector<IndexArg> index;
          for (size_t i = 0; i < n_entries; ++i)
            index.push_back(static_cast<int>(i) == axis ? IndexArg(VarArg(r[1], loc))
                                                        : IndexArg(T::slice()));
          return T::inc_subtensor(T::index(VarArg(zero, loc), index),
                                  T::dimshuffle(VarArg(r[0], loc), pattern));
        };
        parts.push_back(std::move(part));
        continue;
      }
    }
    if (stack_dot(term, variant, loc, parts, same)) continue;
    rest.push_back(term);
  }
  if (!rest.empty()) {
    Var sum = rest.size() == 1 ? rest[0] : T::add(rest, loc);
    sum = T::patternbroadcast(VarArg(sum, loc), w.broadcastable());
    accumulate(sum, T::zeros_like(VarArg(w, loc)), same, parts);
  }
  return parts;
}

}  // namespace theon::detail
