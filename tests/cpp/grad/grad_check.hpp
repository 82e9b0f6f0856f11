// Shared by the gradient tests: one table row is a name, a function of the inputs and
// the points (random arrays in a domain); check_rows runs verify_grad on each and
// reports every failing row rather than stopping at the first.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/verify_grad.hpp"

namespace theon::testing {

// A random float64 point of `shape` in [lo, hi).
struct Point {
  Shape shape;
  double lo = -1, hi = 1;
};

struct GradRow {
  std::string name;
  std::function<Var(const Vars&)> fn;
  std::vector<Point> points;
  VerifyGradOptions options = {};
};

inline std::vector<NDArray> make_points(const std::vector<Point>& points, unsigned seed) {
  std::vector<NDArray> out;
  for (size_t i = 0; i < points.size(); ++i)
    out.push_back(random_array(points[i].shape, DType::Float64, points[i].lo, points[i].hi,
                               seed * 31 + static_cast<unsigned>(i)));
  return out;
}

inline void check_rows(const std::vector<GradRow>& rows) {
  unsigned seed = 1;
  for (const GradRow& row : rows) {
    SCOPED_TRACE(row.name);
    try {
      verify_grad(row.fn, make_points(row.points, seed++), row.options);
    } catch (const std::exception& e) {
      ADD_FAILURE() << row.name << ": " << e.what();
    }
  }
}

}  // namespace theon::testing
