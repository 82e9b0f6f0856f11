// Run under mpirun by ctest (CMakeLists.txt here): `mpi_check MODE`, every rank checking
// what it can see and exiting non-zero on any failure.
//   allreduce  the op against sums computed here (each rank knows every rank's input), for
//              four dtypes, Sum and Mean, empty / non-contiguous / multi-bucket inputs;
//              broadcast; the gradient; a mismatch error; a call that throws.
//   contract   XOR and a small W5-shaped MLP (float64) trained 100 steps data-parallel on
//              the same global batch equal the same training in one process (1e-6).
//   killed     rank 1 SIGKILLs itself mid-training: mpirun must end the job.
//   stalled    rank 1 stops calling: the others time out (2 s), report and abort.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "theon/distributed.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
namespace D = theon::distributed;
using theon::NDArray;
using theon::SharedVar;
using theon::Var;
using theon::Vars;

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
  if (ok) return;
  ++g_failures;
  std::cerr << "rank " << D::rank() << ": FAILED " << what << "\n";
}

// max |got - want| <= atol + rtol * |want| elementwise, compared in float64.
bool close(const NDArray& got, const NDArray& want, double rtol, double atol = 0) {
  if (got.shape() != want.shape()) return false;
  NDArray a = got.astype(theon::DType::Float64), b = want.astype(theon::DType::Float64);
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.data<double>()[i], y = b.data<double>()[i];
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y))) return false;
  }
  return true;
}

// Rank r's input for case `tag`: small integers, so sums are exact in every dtype.
NDArray input(theon::DType dtype, const theon::Shape& shape, int r, int tag) {
  const int64_t n = theon::shape_size(shape);
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>((i * 7 + r * 13 + tag * 5) % 17) - 8;
  return theon::array(v, shape).astype(dtype);
}

// What the all-reduce of `input(.., tag)` over every rank must give.
NDArray expected(theon::DType dtype, const theon::Shape& shape, int tag, D::ReduceOp op) {
  const int64_t n = theon::shape_size(shape);
  std::vector<double> sum(n, 0.0);
  for (int r = 0; r < D::size(); ++r) {
    NDArray x = input(theon::DType::Float64, shape, r, tag);
    for (int64_t i = 0; i < n; ++i) sum[i] += x.data<double>()[i];
  }
  const bool integer = dtype == theon::DType::Int32 || dtype == theon::DType::Int64;
  for (double& s : sum)
    if (op == D::ReduceOp::Mean) s = integer ? std::trunc(s / D::size()) : s / D::size();
  return theon::array(sum, shape).astype(dtype);
}

void check_allreduce() {
  const int r = D::rank();
  for (auto dtype : {theon::DType::Float32, theon::DType::Float64, theon::DType::Int32,
                     theon::DType::Int64}) {
    for (auto op : {D::ReduceOp::Sum, D::ReduceOp::Mean}) {
      const std::string name = std::string(theon::dtype_name(dtype)) +
                               (op == D::ReduceOp::Sum ? " sum" : " mean");
      // 256-byte buckets: the 1000-element vector is a bucket of its own, the others share.
      D::set_fusion_threshold_bytes(256);
      auto m = T::tensor(dtype, {false, false}, "m");
      auto t = T::tensor(dtype, {false, false}, "t");
      auto e = T::tensor(dtype, {false}, "e");
      auto big = T::tensor(dtype, {false}, "big");
      auto s = T::tensor(dtype, {}, "s");
      auto outs = D::allreduce({m, T::transpose(t), e, big, s}, op);
      D::set_fusion_threshold_bytes(int64_t{64} << 20);
      auto f = theon::function({m, t, e, big, s}, outs);
      for (int call = 0; call < 2; ++call) {  // the second call reuses the buffers
        auto got = f(input(dtype, {3, 4}, r, 1 + call), input(dtype, {5, 2}, r, 2),
                     input(dtype, {0}, r, 3), input(dtype, {1000}, r, 4), input(dtype, {}, r, 5));
        const double rtol = dtype == theon::DType::Float32 ? 1e-6 : 1e-12;
        check(close(got[0], expected(dtype, {3, 4}, 1 + call, op), rtol), name + " matrix");
        check(close(got[1], expected(dtype, {5, 2}, 2, op).transpose(), rtol), name + " non-contiguous");
        check(got[2].size() == 0 && got[2].dtype() == dtype, name + " empty");
        check(close(got[3], expected(dtype, {1000}, 4, op), rtol), name + " several buckets");
        check(close(got[4], expected(dtype, {}, 5, op), rtol), name + " scalar");
      }
    }
  }

  // broadcast: every rank ends with the last rank's values.
  const int root = D::size() - 1;
  SharedVar w = theon::shared(input(theon::DType::Float64, {4, 3}, r, 9), "w");
  SharedVar k = theon::shared(input(theon::DType::Int32, {5}, r, 10), "k");
  D::broadcast(std::vector<SharedVar>{w, k}, root);
  check(close(w.get_value(), input(theon::DType::Float64, {4, 3}, root, 9), 0), "broadcast float64");
  check(close(k.get_value(), input(theon::DType::Int32, {5}, root, 10), 0), "broadcast int32");

  // Gradient: d/dx sum(c_r * allreduce_sum(x)) on rank r is the sum over ranks of c_s.
  {
    auto x = T::dvector("x");
    const double c = r + 1.0;
    auto g = T::grad(T::sum(c * D::allreduce({x}, D::ReduceOp::Sum)[0]), x);
    auto f = theon::function({x}, g);
    const double total = D::size() * (D::size() + 1) / 2.0;
    check(close(f(theon::array({1.0, 2.0, 3.0})), theon::array({total, total, total}), 1e-12),
          "gradient of allreduce");
  }

  // Ranks that reduce different sizes get an error, all of them, on the first call.
  {
    auto x = T::dvector("x");
    auto f = theon::function({x}, D::allreduce({x})[0]);
    try {
      f(input(theon::DType::Float64, {r == 0 ? 3 : 4}, r, 0));
      check(D::size() == 1, "a bucket size mismatch raises");
    } catch (const theon::ValueError& err) {
      check(std::string(err.what()).find("every rank must call the same function") != std::string::npos,
            std::string("mismatch message: ") + err.what());
    }
  }

  // A call that throws after its reductions started changes no shared variable; the next
  // call works (the abandoned reductions complete before finalize).
  {
    auto p = theon::shared(theon::array({1.0, 2.0, 3.0}), "p");
    auto x = T::dvector("x");
    auto i = T::lscalar("i");
    auto g = T::grad(T::sum(T::sqr(p * x)), p);
    auto step = theon::function({x, i}, T::index(x, {i}), {{p, p - 0.1 * D::allreduce({g})[0]}});
    try {
      step(theon::array({1.0, 1.0, 1.0}), 7);  // index 7 out of range on every rank
      check(false, "the out-of-range call raises");
    } catch (const theon::IndexError&) {
    }
    check(close(p.get_value(), theon::array({1.0, 2.0, 3.0}), 0), "shared variable kept after a throw");
    step(theon::array({1.0, 1.0, 1.0}), 0);
    check(close(p.get_value(), theon::array({0.8, 1.6, 2.4}), 1e-12), "next call after a throw");
  }
}

// interrupt_calls() stops a rank waiting for a slow peer: Interrupted, no update; the
// abandoned reduction completes once the peer makes its call.
void check_interrupt() {
  if (D::size() == 1) return;
  auto p = theon::shared(theon::array({1.0, 2.0}), "p");
  auto x = T::dvector("x");
  auto step = theon::function({x}, T::sum(x), {{p, p + D::allreduce({x})[0]}});
  D::barrier();
  if (D::rank() == 0) {
    std::thread stopper([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      theon::interrupt_calls();
    });
    bool interrupted = false;
    try {
      step(theon::array({1.0, 1.0}));
    } catch (const theon::Interrupted&) {
      interrupted = true;
    }
    stopper.join();
    check(interrupted, "interrupt_calls stops a wait for a slow peer");
    check(close(p.get_value(), theon::array({1.0, 2.0}), 0), "no update after an interrupted wait");
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    step(theon::array({1.0, 1.0}));  // matches rank 0's abandoned reduction
  }
  D::barrier();
}

// ---- the correctness contract ----

struct Model {
  std::vector<SharedVar> params;
  theon::Function step;
};

NDArray uniform(std::mt19937& rng, const theon::Shape& shape, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(theon::shape_size(shape));
  for (double& x : v) x = u(rng);
  return theon::array(v, shape);
}

// Rows [begin, end) of a row-major float64 matrix, as a new array.
NDArray rows(const NDArray& a, int64_t begin, int64_t end) {
  return a.slice(0, theon::Slice{begin, end, 1}).copy();
}

// Trains the params with `step` fed each rank's shard of the global batch for `steps`
// steps; the reference (same initial values, no all-reduce, whole batch) alongside.
template <class Build>
void contract(const std::string& name, Build build, const NDArray& x, const NDArray& y, int steps) {
  const int64_t n = x.shape(0);
  auto [b, e] = D::shard_range(n, D::rank(), D::size(), true);
  check((n % D::size()) == 0, name + ": the global batch divides evenly");
  Model ours = build(true), reference = build(false);
  D::broadcast(ours.params);
  for (int s = 0; s < steps; ++s) {
    ours.step(rows(x, b, e), rows(y, b, e));
    reference.step(x, y);
  }
  double worst = 0;
  for (size_t i = 0; i < ours.params.size(); ++i) {
    NDArray got = ours.params[i].get_value(), want = reference.params[i].get_value();
    check(close(got, want, 1e-6, 1e-12), name + ": parameter " + ours.params[i].name());
    for (int64_t k = 0; k < got.size(); ++k)
      worst = std::max(worst, std::abs(got.data<double>()[k] - want.data<double>()[k]) /
                                  std::max(std::abs(want.data<double>()[k]), 1e-12));
  }
  if (D::rank() == 0)
    std::cout << name << ": np=" << D::size() << ", " << steps
              << " steps, largest relative difference from one process " << worst << "\n";
}

// Updates p <- p - lr * g with g averaged over ranks (distributed) or as is.
theon::Updates sgd(const std::vector<SharedVar>& params, const Var& cost, double lr, bool distributed) {
  Vars ps(params.begin(), params.end());
  Vars grads = T::grad(cost, ps);
  if (distributed) grads = D::allreduce(grads);
  theon::Updates up;
  for (size_t i = 0; i < params.size(); ++i) up.push_back({params[i], params[i] - lr * grads[i]});
  return up;
}

void check_contract() {
  // The seeds' XOR network (2-2-1 with biases, sigmoid, squared error; the seed's bias
  // units written as bias vectors), full batch of the four patterns (one per rank at np=4).
  auto xor_model = [](bool distributed) {
    std::mt19937 rng(1);
    auto w1 = theon::shared(uniform(rng, {2, 2}, 0, 1), "w1");
    auto b1 = theon::shared(uniform(rng, {2}, 0, 1), "b1");
    auto w2 = theon::shared(uniform(rng, {2, 1}, 0, 1), "w2");
    auto b2 = theon::shared(uniform(rng, {1}, 0, 1), "b2");
    auto x = T::dmatrix("x");
    auto y = T::dmatrix("y");
    auto hidden = T::sigmoid(T::dot(x, w1) + b1);
    auto out = T::sigmoid(T::dot(hidden, w2) + b2);
    auto cost = T::mean(T::sqr(out - y));
    std::vector<SharedVar> params{w1, b1, w2, b2};
    return Model{params, theon::function({x, y}, cost, sgd(params, cost, 0.5, distributed))};
  };
  contract("xor", xor_model, theon::array({{0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}, {0.0, 0.0}}),
           theon::array({{1.0}, {1.0}, {0.0}, {0.0}}), 100);

  // W5's shape, scaled down: 64-32-32-10, ReLU, softmax cross-entropy, global batch 32.
  auto mlp = [](bool distributed) {
    std::mt19937 rng(5);
    std::vector<SharedVar> params;
    const int sizes[] = {64, 32, 32, 10};
    for (int l = 0; l < 3; ++l) {
      const double scale = std::sqrt(2.0 / sizes[l]);
      params.push_back(theon::shared(uniform(rng, {sizes[l], sizes[l + 1]}, -scale, scale), "W" + std::to_string(l)));
      params.push_back(theon::shared(NDArray::zeros(theon::DType::Float64, {sizes[l + 1]}), "b" + std::to_string(l)));
    }
    auto x = T::dmatrix("x");
    auto y = T::dmatrix("y");  // one-hot
    Var h = x;
    for (int l = 0; l < 3; ++l) {
      h = T::dot(h, params[2 * l]) + params[2 * l + 1];
      if (l < 2) h = T::nnet::relu(h);
    }
    auto cost = T::mean(T::nnet::categorical_crossentropy(T::nnet::softmax(h), y));
    return Model{params, theon::function({x, y}, cost, sgd(params, cost, 0.1, distributed))};
  };
  std::mt19937 rng(11);
  NDArray x = uniform(rng, {32, 64}, 0, 1);
  std::vector<double> onehot(32 * 10, 0.0);
  for (int i = 0; i < 32; ++i) onehot[i * 10 + (i * 7) % 10] = 1.0;
  contract("mlp", mlp, x, theon::array(onehot, {32, 10}), 100);
}

// ---- failures ----

void train_until_a_rank_fails(bool kill) {
  D::set_timeout_seconds(kill ? 20 : 2);
  auto w = theon::shared(theon::array({1.0, 2.0}), "w");
  auto x = T::dvector("x");
  auto cost = T::sum(T::sqr(w * x));
  auto step = theon::function({x}, cost, {{w, w - 0.01 * D::allreduce(T::grad(cost, Vars{w}))[0]}});
  for (int s = 0; s < 1000000; ++s) {
    if (s == 3 && D::rank() == 1) {
      if (kill) std::raise(SIGKILL);
      std::this_thread::sleep_for(std::chrono::seconds(30));  // stops calling, stays alive
      return;
    }
    step(theon::array({1.0, 1.0}));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  D::init();
  if (mode == "allreduce") {
    check_allreduce();
    check_interrupt();  // last: it leaves the ranks one reduction apart
  }
  else if (mode == "contract") check_contract();
  else if (mode == "killed") train_until_a_rank_fails(true);
  else if (mode == "stalled") train_until_a_rank_fails(false);
  else {
    std::cerr << "usage: mpi_check allreduce|contract|killed|stalled\n";
    return 2;
  }
  D::finalize();
  if (g_failures) std::cerr << "rank " << D::rank() << ": " << g_failures << " check(s) failed\n";
  return g_failures ? 1 : 0;
}
