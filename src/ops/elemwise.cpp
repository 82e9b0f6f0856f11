#include "ops/elemwise.hpp"

#include <array>

#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/tensor.hpp"

namespace theon::detail {
namespace {

constexpr std::array kInfo = {
#define THEON_INFO_ROW(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  ScalarOpInfo{#FUNC, PRINT, ARITY, DTypeRule::RULE, Domain::DOMAIN},
#include "theon/scalar_ops.def"
    THEON_SCALAR_OPS(THEON_INFO_ROW)
#undef THEON_INFO_ROW
};

enum class Kind { Bool, Int, Float, Complex };
Kind kind_of(DType d) {
  if (is_bool(d)) return Kind::Bool;
  if (is_integer(d)) return Kind::Int;
  if (is_float(d)) return Kind::Float;
  return Kind::Complex;
}

// The dtype all operands promote to. Weak operands (C++ literals) count only when they
// are of a higher kind than every strong operand, and then with their kind's default
// precision matched to the strong operands (see tensor.hpp).
DType promote_operands(std::span<const Var> inputs) {
  std::optional<DType> strong;
  for (const Var& v : inputs)
    if (!v.is_weak()) strong = strong ? promote(*strong, v.dtype()) : v.dtype();
  if (!strong) {
    DType all = inputs[0].dtype();
    for (const Var& v : inputs) all = promote(all, v.dtype());
    return all;
  }
  DType result = *strong;
  for (const Var& v : inputs) {
    if (!v.is_weak() || kind_of(v.dtype()) <= kind_of(result)) continue;
    if (kind_of(v.dtype()) == Kind::Complex && is_float(result)) {
      result = result == DType::Float32 ? DType::Complex64 : DType::Complex128;
    } else {
      result = promote(result, v.dtype());
    }
  }
  return result;
}

bool in_domain(Domain domain, DType d) {
  switch (domain) {
    case Domain::any: return true;
    case Domain::real: return !is_complex(d);
    case Domain::integral: return is_discrete(d);
  }
  return false;
}

}  // namespace

bool ScalarOpInfo::is_infix() const {
  char c = print[0];
  return !(c >= 'a' && c <= 'z');
}

const ScalarOpInfo& scalar_op_info(ScalarOpId id) { return kInfo[static_cast<int>(id)]; }

std::string Elemwise::name() const {
  if (id_ == ScalarOpId::Identity) return "cast{" + std::string(dtype_name(out_)) + "}";
  return info().name;
}

std::string Elemwise::props() const {
  return std::string(dtype_name(compute_)) + "->" + std::string(dtype_name(out_));
}

std::vector<TensorType> Elemwise::make_types(std::span<const Var> inputs) const {
  const ScalarOpInfo& op = info();
  if (op.arity == 0) {
    THEON_ASSERT(inputs.size() >= 1) << op.name << " needs operands";
  } else {
    THEON_ASSERT(static_cast<int>(inputs.size()) == op.arity)
        << op.name << " takes " << op.arity << " operands, got " << inputs.size();
  }
  const int nd = inputs[0].ndim();
  BroadcastPattern pattern(nd, true);
  for (const Var& v : inputs) {
    THEON_ASSERT(v.ndim() == nd) << op.name << ": operands of different ranks reached make_types";
    for (int d = 0; d < nd; ++d) pattern[d] = pattern[d] && v.broadcastable()[d];
  }
  // Lengths known now (constants) must agree where they do not broadcast.
  for (int d = 0; d < nd; ++d) {
    std::optional<int64_t> known;
    for (const Var& v : inputs) {
      if (!v.is_constant() || v.broadcastable()[d]) continue;
      int64_t length = v.constant_value().shape(d);
      THEON_CHECK_USER(!known || *known == length, ShapeError)
          << op.name << ": dimension " << d << " has length " << *known << " in one operand and "
          << length << " in another" << describe_inputs(inputs);
      known = length;
    }
  }
  return {TensorType(out_, pattern)};
}

std::string Elemwise::print(std::span<const std::string> args) const {
  const ScalarOpInfo& op = info();
  if (id_ == ScalarOpId::Identity) return Op::print(args);
  if (!op.is_infix()) {
    std::string s = std::string(op.print) + "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
    return s + ")";
  }
  if (args.size() == 1) return std::string(op.print) + args[0];
  std::string s = "(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? std::string(" ") + op.print + " " : std::string()) + args[i];
  return s + ")";
}

Var elemwise(ScalarOpId id, std::span<const Var> raw_inputs, const Loc& loc,
             std::optional<DType> out_dtype) {
  const ScalarOpInfo& op = scalar_op_info(id);
  // Pad lower-rank operands on the left with broadcastable dimensions.
  int nd = 0;
  for (const Var& v : raw_inputs) nd = std::max(nd, v.ndim());
  Vars inputs;
  for (const Var& v : raw_inputs) {
    if (v.ndim() == nd) {
      inputs.push_back(v);
      continue;
    }
    if (v.is_constant()) {  // pad the value itself: no node needed
      Shape shape(nd - v.ndim(), 1);
      for (int64_t d : v.constant_value().shape()) shape.push_back(d);
      Var padded = constant(v.constant_value().reshape(shape), v.name(), v.loc());
      padded.get()->weak = v.is_weak();
      inputs.push_back(padded);
      continue;
    }
    std::vector<DimEntry> pattern(nd - v.ndim(), DimEntry('x'));
    for (int i = 0; i < v.ndim(); ++i) pattern.push_back(i);
    inputs.push_back(dimshuffle_at(v, pattern, loc));
  }

  DType promoted;
  if (op.rule == DTypeRule::Switch) {
    promoted = promote_operands(std::span<const Var>(inputs).subspan(1));
  } else if (op.rule == DTypeRule::Second) {
    promoted = inputs[1].dtype();
  } else {
    promoted = promote_operands(inputs);
  }
  DType compute = promoted, out = promoted;
  switch (op.rule) {
    case DTypeRule::Upcast: break;
    case DTypeRule::UpcastNoBool:
      if (is_bool(promoted)) compute = out = DType::Int8;
      break;
    case DTypeRule::ToFloat: compute = out = float_of(promoted); break;
    case DTypeRule::Compare:
    case DTypeRule::Predicate: out = DType::Bool; break;
    case DTypeRule::Logical: break;
    case DTypeRule::Abs: out = real_of(promoted); break;
    case DTypeRule::Switch: break;
    case DTypeRule::Same:  // cast gives the dtype; the public identity keeps its input's
      compute = out = out_dtype.value_or(promoted);
      break;
    case DTypeRule::Second: break;
  }
  THEON_CHECK_USER(in_domain(op.domain, compute), TypeError)
      << op.name << ": not defined for " << dtype_name(compute) << " operands"
      << describe_inputs(inputs);
  return apply_op<Elemwise>(loc, std::move(inputs), id, compute, out);
}

}  // namespace theon::detail

namespace theon {
namespace tensor {

using detail::ScalarOpId;

#define THEON_DEFINE_ELEMWISE_1(NAME, FUNC)                                   \
  Var FUNC(VarArg a) {                                                        \
    const Var in[] = {a.var};                                                 \
    return detail::elemwise(ScalarOpId::NAME, in, a.loc);                     \
  }
#define THEON_DEFINE_ELEMWISE_2(NAME, FUNC)                                   \
  Var FUNC(VarArg a, VarArg b) {                                              \
    const Var in[] = {a.var, b.var};                                          \
    return detail::elemwise(ScalarOpId::NAME, in, a.loc);                     \
  }
#define THEON_DEFINE_ELEMWISE_0(NAME, FUNC) THEON_DEFINE_ELEMWISE_2(NAME, FUNC)
#define THEON_DEFINE_ELEMWISE_3(NAME, FUNC)                                   \
  Var FUNC(VarArg a, VarArg b, VarArg c) {                                    \
    const Var in[] = {a.var, b.var, c.var};                                   \
    return detail::elemwise(ScalarOpId::NAME, in, a.loc);                     \
  }
#define THEON_DEFINE_ELEMWISE(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  THEON_DEFINE_ELEMWISE_##ARITY(NAME, FUNC)
THEON_SCALAR_OPS(THEON_DEFINE_ELEMWISE)
#undef THEON_DEFINE_ELEMWISE

Var add(std::span<const Var> terms, Loc loc) {
  THEON_CHECK_USER(!terms.empty(), ValueError) << "add: needs at least one term";
  if (terms.size() == 1) return terms[0];
  return detail::elemwise(ScalarOpId::Add, terms, loc);
}

Var mul(std::span<const Var> factors, Loc loc) {
  THEON_CHECK_USER(!factors.empty(), ValueError) << "mul: needs at least one factor";
  if (factors.size() == 1) return factors[0];
  return detail::elemwise(ScalarOpId::Mul, factors, loc);
}

Var cast(VarArg x, DType dtype) {
  if (x.var.dtype() == dtype) return x.var;
  const Var in[] = {x.var};
  return detail::elemwise(ScalarOpId::Identity, in, x.loc, dtype);
}

}  // namespace tensor

Var operator+(VarArg a, VarArg b) { return tensor::add(a, b); }
Var operator-(VarArg a, VarArg b) { return tensor::sub(a, b); }
Var operator*(VarArg a, VarArg b) { return tensor::mul(a, b); }
Var operator/(VarArg a, VarArg b) { return tensor::true_div(a, b); }
Var operator%(VarArg a, VarArg b) { return tensor::mod(a, b); }
Var operator&(VarArg a, VarArg b) { return tensor::and_(a, b); }
Var operator|(VarArg a, VarArg b) { return tensor::or_(a, b); }
Var operator^(VarArg a, VarArg b) { return tensor::xor_(a, b); }
Var operator<(VarArg a, VarArg b) { return tensor::lt(a, b); }
Var operator>(VarArg a, VarArg b) { return tensor::gt(a, b); }
Var operator<=(VarArg a, VarArg b) { return tensor::le(a, b); }
Var operator>=(VarArg a, VarArg b) { return tensor::ge(a, b); }
Var operator-(VarArg a) { return tensor::neg(a); }
Var operator~(VarArg a) { return tensor::invert(a); }

}  // namespace theon
