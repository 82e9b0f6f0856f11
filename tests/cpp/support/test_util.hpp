// Shared test helpers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "theon/theon.hpp"

namespace theon::testing {

// Passes when `got` has `want`'s shape and every element is within atol + rtol*|want|
// (NaNs must match). Dtypes must match unless check_dtype is false.
::testing::AssertionResult allclose(const NDArray& got, const NDArray& want, double rtol = 1e-7,
                                    double atol = 1e-9, bool check_dtype = true);

// A deterministic array of `shape` with values uniform in [lo, hi).
NDArray random_array(const Shape& shape, DType dtype = DType::Float64, double lo = -1, double hi = 1,
                     unsigned seed = 0);

// Runs `body` and expects an exception of type E whose message contains every string of
// `fragments`.
template <class E, class F>
::testing::AssertionResult throws_with(F&& body, std::initializer_list<std::string> fragments) {
  try {
    body();
  } catch (const E& e) {
    std::string msg = e.what();
    for (const auto& f : fragments)
      if (msg.find(f) == std::string::npos)
        return ::testing::AssertionFailure() << "message lacks '" << f << "': " << msg;
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw a different exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace theon::testing

#define EXPECT_ALLCLOSE(got, want, ...) EXPECT_TRUE(::theon::testing::allclose(got, want, ##__VA_ARGS__))
