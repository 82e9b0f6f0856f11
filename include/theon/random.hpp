// Random streams: symbolic random draws whose generator state lives in shared variables
// (Theano's RandomStreams and MRG_RandomStreams).
//
// Each draw makes its own state, a shared int64 vector [key, stream, block], and a node
// that reads it and returns (the next state, the sample). The Streams object records each
// pair in state_updates() and sets the new state as the state's default update, so every
// function that computes a sample also advances its state: two calls give different
// values, and no updates need to be listed (function's no_default_updates turns it off).
//
// The generator is Philox4x32-10, counter-based: value i of a draw depends only on the key
// and the counter (block + i / values per block), so the values are the same whatever the
// number of threads, and saving a state (get_value) and restoring it (set_value) replays
// the same draws. docs/random.md has the layout and the guarantees.
//
//   theon::random::Streams srng(42);
//   auto x = T::fmatrix("x");
//   auto mask = srng.binomial(T::shape(x), 1, 0.5, DType::Float32);
//   auto dropped = x * mask / 0.5;                 // dropout
//   auto f = theon::function({x}, dropped);        // each call draws a new mask
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "theon/function.hpp"
#include "theon/shape_ops.hpp"
#include "theon/shared.hpp"

namespace theon::random {

class Streams {
 public:
  // Draws of Streams with the same seed, made in the same order, give the same values.
  explicit Streams(int64_t seed = 12345);

  // Uniform in [low, high) (low + (high - low) * u with u in [0, 1)). dtype defaults to
  // floatX, or float64 when low or high is a float64 variable.
  Var uniform(const ShapeArg& size, VarArg low = 0.0, VarArg high = 1.0,
              std::optional<DType> dtype = std::nullopt, Loc loc = Loc::current());
  // Normal with mean avg and standard deviation std (Box-Muller on pairs of uniforms).
  Var normal(const ShapeArg& size, VarArg avg = 0.0, VarArg std = 1.0,
             std::optional<DType> dtype = std::nullopt, Loc loc = Loc::current());
  // Successes in n trials of probability p (p broadcast to size). With n = 1 (a constant)
  // this is a Bernoulli mask, u < p, which fuses with the expression that uses it; other
  // n sum n uniforms per element. p outside [0, 1] is a ValueError at run time for n != 1.
  Var binomial(const ShapeArg& size, VarArg n = 1, VarArg p = 0.5, DType dtype = DType::Int64,
               Loc loc = Loc::current());
  // One sample of n trials per row of pvals (a float matrix): counts of pvals' shape.
  Var multinomial(VarArg pvals, VarArg n = 1, DType dtype = DType::Int64, Loc loc = Loc::current());
  // Indices in [0, a) of shape size: uniform, or with probabilities p (a float vector of a
  // entries summing to 1); replace=false draws distinct indices (not with p).
  Var choice(const ShapeArg& size, VarArg a = 2, bool replace = true,
             std::optional<Var> p = std::nullopt, Loc loc = Loc::current());
  // Random orderings of 0 .. n-1: an int64 array of shape size + (n,).
  Var permutation(VarArg n, const ShapeArg& size = std::vector<int64_t>{}, Loc loc = Loc::current());
  // Integers uniform in [low, high], both ends included (Theano's random_integers), int64.
  Var random_integers(const ShapeArg& size, VarArg low = 0, VarArg high = 1, Loc loc = Loc::current());
  // x with the elements of each row (its last axis) in an independent random order.
  Var shuffle_row_elements(VarArg x, Loc loc = Loc::current());

  // Restarts every state made so far as if the Streams had been made with new_seed.
  void seed(int64_t new_seed);

  struct StateUpdate {
    SharedVar state;
    Var update;
  };
  // Each draw's state and its next value, in the order the draws were made.
  const std::vector<StateUpdate>& state_updates() const;
  // The same as function updates: function(ins, outs, srng.updates()).
  Updates updates() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace theon::random
