// Arithmetic on lengths and element counts that come from user numbers (alloc shapes,
// join lengths, tile repeats, scan steps, arange spans): + and * that throw MemoryError
// naming what was being computed, instead of wrapping to a small or negative size.
//
// `what` is a string, or a callable returning one: a description built from shapes costs
// an allocation, so callers on a function's call path pass a lambda, which runs only
// when the arithmetic overflows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace theon::detail {

[[noreturn]] void throw_length_overflow(std::string_view what, int64_t a, char op, int64_t b);

template <class What>
[[noreturn]] void throw_overflow_of(const What& what, int64_t a, char op, int64_t b) {
  if constexpr (std::is_invocable_v<const What&>) {
    throw_length_overflow(std::string(what()), a, op, b);
  } else {
    throw_length_overflow(what, a, op, b);
  }
}

template <class What>
int64_t checked_add(int64_t a, int64_t b, const What& what) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) [[unlikely]]
    throw_overflow_of(what, a, '+', b);
  return sum;
}

template <class What>
int64_t checked_mul(int64_t a, int64_t b, const What& what) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) [[unlikely]]
    throw_overflow_of(what, a, '*', b);
  return product;
}

}  // namespace theon::detail
