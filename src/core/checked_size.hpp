// Arithmetic on lengths and element counts that come from user numbers (alloc shapes,
// join lengths, tile repeats, scan steps, arange spans): + and * that throw MemoryError
// naming what was being computed, instead of wrapping to a small or negative size.
#pragma once

#include <cstdint>
#include <string_view>

namespace theon::detail {

[[noreturn]] void throw_length_overflow(std::string_view what, int64_t a, char op, int64_t b);

inline int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) [[unlikely]]
    throw_length_overflow(what, a, '+', b);
  return sum;
}

inline int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) [[unlikely]]
    throw_length_overflow(what, a, '*', b);
  return product;
}

}  // namespace theon::detail
