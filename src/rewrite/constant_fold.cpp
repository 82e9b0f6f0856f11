// constant_fold: a node whose inputs are all constants is computed now and replaced by
// its value, unless the value would be large (a constant is kept in memory for the
// function's life: alloc(0, 10000, 10000) stays an alloc).
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/side_effect.hpp"

namespace theon::rewrite {
namespace {

// Outputs up to this many elements are always folded; larger ones only if no larger
// than the largest input (folding then does not grow the constants).
constexpr int64_t kFoldLimit = 1 << 16;

// The size of an element-wise node's output, known before computing it.
int64_t broadcast_size(const ApplyNode& node) {
  const int nd = node.inputs[0].ndim();
  int64_t size = 1;
  for (int d = 0; d < nd; ++d) {
    int64_t len = 1;
    for (const Var& in : node.inputs) len = std::max(len, in.constant_value().shape(d));
    size *= len;
  }
  return size;
}

// The element count of an alloc's requested shape, if known.
std::optional<int64_t> alloc_size(const ApplyNode& node) {
  int64_t size = 1;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    auto n = detail::constant_int(node.inputs[i]);
    // An overflowing size is not folded: the run raises MemoryError naming the shape.
    if (!n || __builtin_mul_overflow(size, std::max<int64_t>(*n, 0), &size)) return std::nullopt;
  }
  return size;
}

std::optional<Vars> fold(const ApplyNode& node, const FunctionGraph&) {
  // A side effect (Print) happens when the function runs, not while it compiles.
  if (node.inputs.empty() || node.op().is_lazy() || has_side_effects(node.op())) return std::nullopt;
  int64_t largest_input = 0;
  for (const Var& in : node.inputs) {
    if (!in.is_constant()) return std::nullopt;
    largest_input = std::max(largest_input, in.constant_value().size());
  }
  const int64_t limit = std::max(kFoldLimit, largest_input);
  if (elemwise_of(node) && broadcast_size(node) > limit) return std::nullopt;
  if (node.op().name() == "alloc") {
    auto size = alloc_size(node);
    if (!size || *size > limit) return std::nullopt;
  }

  std::vector<const NDArray*> in;
  for (const Var& v : node.inputs) in.push_back(&v.constant_value());
  std::vector<NDArray> values(node.n_outputs());
  std::vector<NDArray*> out;
  for (NDArray& v : values) out.push_back(&v);
  try {
    node.op().perform(node, in, out);
  } catch (const UserError&) {
    return std::nullopt;  // the same error is raised, with its context, when the function runs
  }
  Vars replacements;
  for (int i = 0; i < node.n_outputs(); ++i) {
    if (values[i].size() > limit) return std::nullopt;
    const Var old = node.output(i);
    replacements.push_back(typed_constant(values[i].copy(), old.type(), old.loc()));
  }
  return replacements;
}

}  // namespace

void register_constant_fold(RewriteDb& db) {
  db.add("constant_fold", LocalRewrite{"constant_fold", {}, fold}, {"fast_run", "fast_compile"});
}

}  // namespace theon::rewrite
