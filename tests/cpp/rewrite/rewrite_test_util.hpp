// Helpers for rewrite tests: compile a graph under a mode, count the nodes of an op in
// the rewritten graph, make inputs for any typed variables, and compare a rewritten
// function with the graph as built (mode NONE).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "rewrite/pattern.hpp"
#include "support/test_util.hpp"
#include "theon/fgraph.hpp"

namespace theon::testing {

// A test graph: its inputs and the output compiled from them.
struct Graph {
  Vars inputs;
  Var output;
};

// Only the named phases (plus merge and constant folding), so that later passes
// (fusion, inplace) do not hide the structure a test looks at.
inline FunctionOptions phases(const std::string& including) {
  FunctionOptions o;
  o.mode = "FAST_COMPILE";
  o.optimizer_including = including;
  o.on_unused_input = "ignore";
  return o;
}

inline FunctionOptions mode(const std::string& name) {
  FunctionOptions o;
  o.mode = name;
  o.on_unused_input = "ignore";
  return o;
}

// Nodes of the compiled graph whose track_key is `key` ("add", "second", "dimshuffle").
inline int count_ops(const Function& f, const std::string& key) {
  int n = 0;
  for (const ApplyNode* node : f.fgraph().toposort()) n += rewrite::track_key(node->op()) == key;
  return n;
}

// Every op of the compiled graph, for failure messages: "add mul second".
inline std::string op_list(const Function& f) {
  std::string s;
  for (const ApplyNode* node : f.fgraph().toposort()) s += rewrite::track_key(node->op()) + " ";
  return s;
}

enum class Inputs { Random, Special, Empty };

// One array per input: broadcastable dimensions have length 1, the others lengths that
// agree between inputs (aligned from the right, as broadcasting); Special puts NaN, inf,
// -inf, 0 and -0 into float inputs, Empty gives length 0 to the second-last axis (the
// last one for vectors).
inline std::vector<NDArray> make_inputs(const Vars& inputs, Inputs kind = Inputs::Random,
                                        unsigned seed = 1) {
  int64_t lengths[] = {4, 3, 2, 2, 2, 2, 2};
  if (kind == Inputs::Empty) {
    int nd = 0;
    for (const Var& v : inputs) nd = std::max(nd, v.ndim());
    lengths[nd >= 2 ? 1 : 0] = 0;
  }
  std::vector<NDArray> out;
  for (const Var& v : inputs) {
    Shape shape;
    for (int d = 0; d < v.ndim(); ++d)
      shape.push_back(v.broadcastable()[d] ? 1 : lengths[v.ndim() - 1 - d]);
    const DType dt = v.dtype();
    NDArray a = is_discrete(dt) ? random_array(shape, DType::Float64, is_bool(dt) ? 0 : -6,
                                               is_bool(dt) ? 2 : 7, seed++)
                                      .astype(DType::Int64)
                                      .astype(dt)
                                : random_array(shape, dt, -2, 2, seed++);
    if (kind == Inputs::Special && is_float(dt) && a.size() > 0) {
      const double special[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0};
      NDArray f = a.astype(DType::Float64);
      for (int64_t i = 0; i < f.size(); ++i)
        if (i % 2 == 0) f.data<double>()[i] = special[(i / 2) % 5];
      a = f.astype(dt);
    }
    out.push_back(a);
  }
  return out;
}

inline std::vector<NDArray> run(const Function& f, const std::vector<NDArray>& args) {
  std::vector<Arg> a(args.begin(), args.end());
  return f.call(a).vector();
}

// Whether two arrays have the same dtype, shape and bytes.
inline ::testing::AssertionResult bit_equal(const NDArray& got, const NDArray& want) {
  if (got.dtype() != want.dtype() || !(got.shape() == want.shape()))
    return ::testing::AssertionFailure() << "type or shape differs\ngot  " << got << "\nwant " << want;
  const NDArray g = got.contiguous(), w = want.contiguous();
  if (std::memcmp(g.raw(), w.raw(), g.nbytes()) != 0)
    return ::testing::AssertionFailure() << "bits differ\ngot  " << got << "\nwant " << want;
  return ::testing::AssertionSuccess();
}

// The rewritten function agrees with the graph as built (same dtype and shape; values
// within rounding, NaN where NaN; bit for bit when `exact`).
inline ::testing::AssertionResult agrees_with_none(const Function& f, const Vars& inputs,
                                                   const Var& output,
                                                   const std::vector<NDArray>& args,
                                                   bool exact = false) {
  Function reference = function(inputs, output, {}, mode("NONE"));
  const std::vector<NDArray> got = run(f, args), want = run(reference, args);
  if (exact) return bit_equal(got[0], want[0]);
  const bool single = want[0].dtype() == DType::Float32 || want[0].dtype() == DType::Complex64;
  return allclose(got[0], want[0], single ? 1e-5 : 1e-12, single ? 1e-6 : 1e-12);
}

}  // namespace theon::testing
