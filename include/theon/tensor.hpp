// Building expressions: typed symbolic variables and element-wise operations.
//
// Broadcasting. An operand with fewer dimensions is padded on the left with
// broadcastable dimensions (as NumPy). A dimension broadcasts when its type marks it
// broadcastable (a row's first dimension, a padded one); two dimensions of unknown
// length must have equal lengths at run time, as in Theano. This keeps gradients exact:
// the sum back over a broadcast dimension is known when the graph is built.
//
// Dtypes. Array operands promote as in NumPy (int32 + float32 -> float64). A C++
// literal is a "weak" operand: it takes the dtype of the other operands when it is of
// the same kind or a lower one (bool < integer < float < complex), so `fvector * 2.0`
// stays float32 and `ivector + 1` stays int32, while `ivector * 0.5` is float64.
//
//   namespace T = theon::tensor;
//   auto x = T::fvector("x");
//   auto y = T::exp(-x) * 2.0 + 1;   // float32 vector
#pragma once

#include <array>
#include <string>
#include <type_traits>

#include "theon/config.hpp"
#include "theon/graph.hpp"

namespace theon {

template <class T>
concept Arithmetic = std::is_arithmetic_v<T> || ComplexElement<T>;

// An operand: a variable or a C++ number (which becomes a weak constant). It records
// the user's line, so operators, which cannot take a defaulted location, still know it.
class VarArg {
 public:
  VarArg(const Var& v, Loc loc = Loc::current()) : var(v), loc(loc) {}
  template <Arithmetic T>
  VarArg(T value, Loc loc = Loc::current())
      : var(weak_constant(array(value), loc)), loc(loc) {}

  Var var;
  Loc loc;
};

namespace tensor {

// ---- variables ----
// A variable of any type: theon::tensor::variable(TensorType(DType::Float32, {true, false}), "r").
Var variable(const TensorType& type, std::string name = "", Loc loc = Loc::current());
Var tensor(DType dtype, BroadcastPattern broadcastable, std::string name = "",
           Loc loc = Loc::current());

// Theano's constructors: a dtype letter (b int8, w int16, i int32, l int64, f float32,
// d float64, c complex64, z complex128) and a kind. Plural forms make several at once:
//   auto [p, q] = T::dmatrices("p", "q");
#define THEON_TYPE_KINDS(K)                 \
  K(scalar, scalars, 0, (BroadcastPattern{}))             \
  K(vector, vectors, 1, (BroadcastPattern{false}))        \
  K(matrix, matrices, 2, (BroadcastPattern{false, false})) \
  K(row, rows, 2, (BroadcastPattern{true, false}))        \
  K(col, cols, 2, (BroadcastPattern{false, true}))        \
  K(tensor3, tensor3s, 3, BroadcastPattern(3, false)) \
  K(tensor4, tensor4s, 4, BroadcastPattern(4, false)) \
  K(tensor5, tensor5s, 5, BroadcastPattern(5, false)) \
  K(tensor6, tensor6s, 6, BroadcastPattern(6, false)) \
  K(tensor7, tensor7s, 7, BroadcastPattern(7, false))

#define THEON_DTYPE_LETTERS(L, KIND, PLURAL, PATTERN) \
  L(b, Int8, KIND, PLURAL, PATTERN)                   \
  L(w, Int16, KIND, PLURAL, PATTERN)                  \
  L(i, Int32, KIND, PLURAL, PATTERN)                  \
  L(l, Int64, KIND, PLURAL, PATTERN)                  \
  L(f, Float32, KIND, PLURAL, PATTERN)                \
  L(d, Float64, KIND, PLURAL, PATTERN)                \
  L(c, Complex64, KIND, PLURAL, PATTERN)              \
  L(z, Complex128, KIND, PLURAL, PATTERN)

#define THEON_DECLARE_TYPED(LETTER, DTYPE, KIND, PLURAL, PATTERN)                           \
  inline Var LETTER##KIND(std::string name = "", Loc loc = Loc::current()) {                \
    return tensor(DType::DTYPE, PATTERN, std::move(name), loc);                             \
  }                                                                                         \
  template <class... Names>                                                                 \
  std::array<Var, sizeof...(Names)> LETTER##PLURAL(const Names&... names) {                 \
    return {tensor(DType::DTYPE, PATTERN, std::string(names))...};                          \
  }
#define THEON_DECLARE_KIND(KIND, PLURAL, NDIM, PATTERN)                                     \
  THEON_DTYPE_LETTERS(THEON_DECLARE_TYPED, KIND, PLURAL, PATTERN)                           \
  inline Var KIND(std::string name = "", Loc loc = Loc::current()) {                        \
    return tensor(config().floatX, PATTERN, std::move(name), loc);                          \
  }                                                                                         \
  template <class... Names>                                                                 \
  std::array<Var, sizeof...(Names)> PLURAL(const Names&... names) {                         \
    return {tensor(config().floatX, PATTERN, std::string(names))...};                       \
  }
THEON_TYPE_KINDS(THEON_DECLARE_KIND)
#undef THEON_DECLARE_KIND
#undef THEON_DECLARE_TYPED

// ---- element-wise operations (one per row of scalar_ops.def) ----
// Each applies its scalar operation to every element, broadcasting its operands.
#define THEON_DECLARE_ELEMWISE_1(F) Var F(VarArg a);
#define THEON_DECLARE_ELEMWISE_2(F) Var F(VarArg a, VarArg b);
#define THEON_DECLARE_ELEMWISE_3(F) Var F(VarArg a, VarArg b, VarArg c);
#define THEON_DECLARE_ELEMWISE_0(F) Var F(VarArg a, VarArg b);
#define THEON_DECLARE_ELEMWISE(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  THEON_DECLARE_ELEMWISE_##ARITY(FUNC)
#include "theon/scalar_ops.def"
THEON_SCALAR_OPS(THEON_DECLARE_ELEMWISE)
#undef THEON_DECLARE_ELEMWISE
#undef THEON_DECLARE_ELEMWISE_0
#undef THEON_DECLARE_ELEMWISE_1
#undef THEON_DECLARE_ELEMWISE_2
#undef THEON_DECLARE_ELEMWISE_3

// add and mul of any number of operands (at least one), as one n-ary node.
Var add(std::span<const Var> terms, Loc loc = Loc::current());
Var mul(std::span<const Var> factors, Loc loc = Loc::current());

// numpy.where's name for switch_.
inline Var where(VarArg cond, VarArg a, VarArg b) { return switch_(cond, a, b); }
// Theano's fill(model, value): `value` broadcast to the shape of `model`, in value's dtype.
inline Var fill(VarArg model, VarArg value) { return second(model, value); }
// Converts to `dtype` (truncating toward zero from float to integer, as NumPy).
Var cast(VarArg x, DType dtype);
// Theano's names.
inline Var inv(VarArg a) { return reciprocal(a); }
inline Var true_divide(VarArg a, VarArg b) { return true_div(a, b); }
inline Var int_div(VarArg a, VarArg b) { return floor_div(a, b); }

}  // namespace tensor

// ---- operators ----
// Arithmetic, bitwise/logical (&, |, ^, ~) and ordering comparisons build graph nodes.
// There is no operator== on variables: as in Theano, use tensor::eq / tensor::neq.
Var operator+(VarArg a, VarArg b);
Var operator-(VarArg a, VarArg b);
Var operator*(VarArg a, VarArg b);
Var operator/(VarArg a, VarArg b);
Var operator%(VarArg a, VarArg b);
Var operator&(VarArg a, VarArg b);
Var operator|(VarArg a, VarArg b);
Var operator^(VarArg a, VarArg b);
Var operator<(VarArg a, VarArg b);
Var operator>(VarArg a, VarArg b);
Var operator<=(VarArg a, VarArg b);
Var operator>=(VarArg a, VarArg b);
Var operator-(VarArg a);
Var operator~(VarArg a);

}  // namespace theon
