// The accumulation rules of every reduction, shared by Reduce's loops
// (reduce_kernel.cpp) and FusedReduce (fused_reduce.cpp) so that both give the same
// values: sums and products accumulate in int64, float64 or complex128, all/any in bool,
// max and min in the element type and propagate NaN.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "ops/reduce.hpp"
#include "theon/dtype.hpp"

namespace theon::detail {

template <ReduceKind K, class T>
struct AccOf {
  using type = T;
};
template <ReduceKind K, class T>
requires(K == ReduceKind::Sum || K == ReduceKind::Prod) struct AccOf<K, T> {
  using type = std::conditional_t<ComplexElement<T>, complex128,
                                  std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>;
};
template <class T>
struct AccOf<ReduceKind::All, T> {
  using type = bool;
};
template <class T>
struct AccOf<ReduceKind::Any, T> {
  using type = bool;
};

// The identity element and the associative combine of each reduction, over Acc.
template <ReduceKind K, class Acc>
struct Monoid;

template <class Acc>
struct Monoid<ReduceKind::Sum, Acc> {
  static Acc identity() { return Acc(0); }
  static Acc combine(Acc a, Acc b) {
    // Integer sums wrap around as NumPy's do (unsigned arithmetic, no signed overflow).
    if constexpr (std::is_integral_v<Acc>)
      return static_cast<Acc>(uint64_t(a) + uint64_t(b));
    else
      return a + b;
  }
};
template <class Acc>
struct Monoid<ReduceKind::Prod, Acc> {
  static Acc identity() { return Acc(1); }
  static Acc combine(Acc a, Acc b) {
    if constexpr (std::is_integral_v<Acc>)
      return static_cast<Acc>(uint64_t(a) * uint64_t(b));
    else
      return a * b;
  }
};
// max and min propagate NaN: once an operand is NaN the result stays NaN.
template <class Acc>
struct Monoid<ReduceKind::Max, Acc> {
  static Acc identity() {
    if constexpr (std::is_floating_point_v<Acc>)
      return -std::numeric_limits<Acc>::infinity();
    else
      return std::numeric_limits<Acc>::lowest();
  }
  static Acc combine(Acc a, Acc b) { return (b > a || b != b) ? b : a; }
};
template <class Acc>
struct Monoid<ReduceKind::Min, Acc> {
  static Acc identity() {
    if constexpr (std::is_floating_point_v<Acc>)
      return std::numeric_limits<Acc>::infinity();
    else
      return std::numeric_limits<Acc>::max();
  }
  static Acc combine(Acc a, Acc b) { return (b < a || b != b) ? b : a; }
};
template <class Acc>
struct Monoid<ReduceKind::All, Acc> {
  static Acc identity() { return true; }
  static Acc combine(Acc a, Acc b) { return a && b; }
};
template <class Acc>
struct Monoid<ReduceKind::Any, Acc> {
  static Acc identity() { return false; }
  static Acc combine(Acc a, Acc b) { return a || b; }
};

}  // namespace theon::detail
