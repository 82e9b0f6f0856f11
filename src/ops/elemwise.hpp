// Element-wise operations: one Op class for every row of scalar_ops.def.
#pragma once

#include <optional>

#include "theon/graph.hpp"

namespace theon::detail {

enum class ScalarOpId : uint8_t {
#define THEON_ENUM_ROW(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) NAME,
#include "theon/scalar_ops.def"
  THEON_SCALAR_OPS(THEON_ENUM_ROW)
#undef THEON_ENUM_ROW
};

// How an op's output dtype follows from its (promoted) input dtype.
enum class DTypeRule : uint8_t {
  Upcast,        // the promoted dtype
  UpcastNoBool,  // the promoted dtype, but bool arithmetic gives int8 (as Theano)
  ToFloat,       // float_of(promoted): exp, true division
  Compare,       // bool, computing in the promoted dtype
  Logical,       // bool or integer only; the promoted dtype
  Predicate,     // bool (isnan, isinf)
  Abs,           // the promoted dtype, real for complex
  Switch,        // promote(b, c); the condition is read as bool
  Same,          // identity and cast: the output dtype is given
  Second,        // fill(a, b): b's dtype
};
enum class Domain : uint8_t { any, real, integral };

struct ScalarOpInfo {
  const char* name;   // the public function, "add"
  const char* print;  // "+" or "exp"
  int arity;          // 0: two or more
  DTypeRule rule;
  Domain domain;
  bool is_infix() const;
};
const ScalarOpInfo& scalar_op_info(ScalarOpId id);

// An element-wise op. Its compute and output dtypes are fixed when the node is built
// (weak operands are resolved then), so running it needs no dtype logic.
class Elemwise final : public Op {
 public:
  Elemwise(ScalarOpId id, DType compute, DType out) : id_(id), compute_(compute), out_(out) {}

  ScalarOpId scalar_op() const { return id_; }
  DType compute_dtype() const { return compute_; }
  DType out_dtype() const { return out_; }
  const ScalarOpInfo& info() const { return scalar_op_info(id_); }

  std::string name() const override;
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  ScalarOpId id_;
  DType compute_;
  DType out_;
};

// Builds an element-wise node: pads lower-rank operands with broadcastable dimensions,
// resolves weak operands' dtypes, checks the op's domain and the shapes known now.
// `out_dtype` is required for the Same rule (cast).
Var elemwise(ScalarOpId id, std::span<const Var> inputs, const Loc& loc,
             std::optional<DType> out_dtype = std::nullopt);

// Runs the scalar op over broadcast operands into `out` (allocated here). Exposed for
// other ops' kernels that need element-wise math.
void run_elemwise(const Elemwise& op, std::span<const NDArray* const> in,
                  std::span<const TensorType* const> in_types, NDArray& out, const ApplyNode* node);

// The interpreter's loop of one scalar op over contiguous blocks: result[j] = op(a[j],
// b[j], c[j]) for j < n, operands in `compute` (a as bool for switch), the result in the
// dtype the op gives for that compute dtype. nullptr where the op is not defined for
// `compute`. The fused element-wise op runs its programs with these.
using ScalarBlockFn = void (*)(int64_t n, const void* a, const void* b, const void* c, void* result);
ScalarBlockFn scalar_block_fn(ScalarOpId id, DType compute);

}  // namespace theon::detail
