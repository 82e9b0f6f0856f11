// verify_grad: checks a symbolic gradient against finite differences (Theano's
// theano.gradient.verify_grad).
//
// For `fn` and the points x_0..x_{n-1}, it makes one symbolic input per point (same
// dtype, rank, and broadcastable where the point's dimension has length 1), and the
// scalar cost C = sum(fn(inputs) * P), where P is a random projection of fn's output
// shape with elements uniform in [0.5, 1.5). The gradient of C from tensor::grad,
// compiled with theon::function, must match central differences
//   dC/dx[j] ~ (C(x + eps e_j) - C(x - eps e_j)) / 2 eps
// for every element j of every input, within abs_tol OR rel_tol (an element fails when
// both its absolute error |a - n| and its relative error |a - n| / (|a| + |n|) exceed
// their tolerances, as Theano).
//
// Defaults by dtype (the widest point dtype decides; float32 computes in float32 and
// so needs a larger step and looser tolerances):
//   float64: eps 1e-6, abs_tol 1e-4, rel_tol 1e-4
//   float32: eps 1e-3, abs_tol 1e-2, rel_tol 1e-2
// Central differences have error O(eps^2) + O(machine eps / eps), smallest near the
// cube root of machine precision, hence eps larger than Theano's one-sided 1e-7.
//
//   theon::verify_grad([](const theon::Vars& in) { return T::exp(in[0]) * in[1]; },
//                      {random_matrix, random_row});
//
// Choose points inside the op's domain and away from kinks (abs at 0, max ties): there
// a one-sided derivative is right and the central difference is not.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "theon/array.hpp"
#include "theon/error.hpp"
#include "theon/graph.hpp"

namespace theon {

struct VerifyGradOptions {
  // Seed of the random projections (the same seed gives the same check).
  uint64_t seed = 42;
  // Finite-difference step and tolerances; unset: the dtype defaults above.
  std::optional<double> eps;
  std::optional<double> abs_tol;
  std::optional<double> rel_tol;
  // How many random projections to try (each one a full check).
  int n_tests = 2;
  // Compilation mode for the cost and gradient functions ("" = config's).
  std::string mode;
};

// Thrown when the symbolic and numeric gradients disagree. The message names the input,
// the worst element, both values and both errors; the fields hold the same.
class GradientError : public ValueError {
 public:
  GradientError(const std::string& message, int input, std::vector<int64_t> index, double analytic,
                double numeric, double abs_error, double rel_error)
      : ValueError(message), input(input), index(std::move(index)), analytic(analytic),
        numeric(numeric), abs_error(abs_error), rel_error(rel_error) {}
  [[noreturn]] void rethrow_with(const std::string& extra) const override {
    throw GradientError(std::string(what()) + extra, input, index, analytic, numeric, abs_error,
                        rel_error);
  }

  int input;                   // which point
  std::vector<int64_t> index;  // the worst element of that point
  double analytic, numeric, abs_error, rel_error;
};

// Checks the gradient of fn at `points` (float arrays; TypeError for other dtypes, as
// Theano). fn must return a float tensor. Returns normally when every element agrees.
void verify_grad(std::function<Var(const Vars&)> fn, const std::vector<NDArray>& points,
                 VerifyGradOptions options = {});

}  // namespace theon
