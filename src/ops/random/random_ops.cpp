#include "ops/random/random_ops.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/checked_size.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

const TensorType kStateType(DType::Int64, {false});

void check_state(std::string_view op, std::span<const Var> inputs) {
  THEON_CHECK_USER(inputs[0].dtype() == DType::Int64 && inputs[0].ndim() == 1, TypeError)
      << op << ": the random state must be an int64 vector [key, stream, block]"
      << describe_inputs(inputs);
}

void check_size(std::string_view op, std::span<const Var> inputs, int k) {
  THEON_CHECK_USER(inputs[k].ndim() == 1 && is_discrete(inputs[k].dtype()), TypeError)
      << op << ": size must be an integer vector (a shape)" << describe_inputs(inputs);
}

// Length-1 entries known when the graph is built become broadcastable dimensions.
BroadcastPattern pattern_of(const Var& size, int ndim) {
  BroadcastPattern pattern(ndim, false);
  if (auto known = constant_elements(size))
    for (int d = 0; d < ndim && d < static_cast<int>(known->size()); ++d)
      pattern[d] = (*known)[d] && *(*known)[d] == 1;
  return pattern;
}

// n float64 uniforms from `at`, which moves past them.
std::vector<double> uniforms(philox::Position& at, int64_t n) {
  std::vector<double> u(static_cast<size_t>(n));
  philox::fill_uniform(at, u.data(), n);
  at.block += philox::groups_for(n, true) * philox::kGroupBlocks;
  return u;
}

// An index in [0, m) from a uniform (53 bits: unbiased to ~m / 2^53).
int64_t below(double u, int64_t m) {
  return std::min<int64_t>(static_cast<int64_t>(u * static_cast<double>(m)), m - 1);
}

void write_state(NDArray& slot, const philox::Position& p) {
  NDArray& o = reuse_or_allocate(slot, DType::Int64, {3});
  o.data<int64_t>()[0] = static_cast<int64_t>(p.key);
  o.data<int64_t>()[1] = static_cast<int64_t>(p.stream);
  o.data<int64_t>()[2] = static_cast<int64_t>(p.block);
}

const char* dist_name(Distribution d) {
  switch (d) {
    case Distribution::Uniform: return "uniform";
    case Distribution::Normal: return "normal";
    case Distribution::Binomial: return "binomial";
  }
  return "?";
}

}  // namespace

Shape read_size(const NDArray& size, int ndim, std::string_view op) {
  THEON_CHECK_USER(size.ndim() == 1 && size.shape(0) == ndim, ValueError)
      << op << ": size has " << (size.ndim() == 1 ? size.shape(0) : -1) << " entries, the graph was built for "
      << ndim;
  Shape shape(static_cast<size_t>(ndim), 0);
  int64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    shape[d] = size.at<int64_t>({d});
    THEON_CHECK_USER(shape[d] >= 0, ValueError) << op << ": negative length " << shape[d] << " in size";
    total = checked_mul(total, shape[d], [&] { return std::string(op) + ": the size's element count"; });
  }
  return shape;
}

NDArray state_array(const philox::Position& p) {
  NDArray a;
  write_state(a, p);
  return a;
}

philox::Position read_state(const NDArray& state, std::string_view op) {
  THEON_CHECK_USER(state.dtype() == DType::Int64 && state.ndim() == 1 && state.shape(0) == 3, TypeError)
      << op << ": a random state is an int64 vector of 3 entries [key, stream, block], got "
      << dtype_name(state.dtype()) << " " << shape_str(state.shape());
  return {static_cast<uint64_t>(state.at<int64_t>({0})), static_cast<uint64_t>(state.at<int64_t>({1})),
          static_cast<uint64_t>(state.at<int64_t>({2}))};
}

// ---- RandomDraw ----

std::string RandomDraw::name() const { return std::string("random_") + dist_name(dist_); }
std::string RandomDraw::props() const {
  return std::string(dtype_name(dtype_)) + "," + std::to_string(ndim_);
}

std::vector<TensorType> RandomDraw::make_types(std::span<const Var> inputs) const {
  const std::string op = name();
  check_state(op, inputs);
  check_size(op, inputs, 1);
  if (dist_ == Distribution::Binomial) {
    THEON_CHECK_USER(inputs.size() == 4 && inputs[2].ndim() == 0 && is_discrete(inputs[2].dtype()), TypeError)
        << op << ": n must be an integer scalar" << describe_inputs(inputs);
    THEON_CHECK_USER(inputs[3].ndim() <= ndim_ && !is_complex(inputs[3].dtype()), TypeError)
        << op << ": p must be a real tensor of at most " << ndim_ << " dimensions" << describe_inputs(inputs);
    THEON_CHECK_USER(!is_complex(dtype_), TypeError) << op << ": dtype " << dtype_name(dtype_) << " is not real";
  } else {
    THEON_CHECK_USER(inputs.size() == 2, TypeError) << op << ": expects (state, size)";
    THEON_CHECK_USER(dtype_ == DType::Float32 || dtype_ == DType::Float64, TypeError)
        << op << ": dtype must be float32 or float64, got " << dtype_name(dtype_);
  }
  return {kStateType, TensorType(dtype_, pattern_of(inputs[1], ndim_))};
}

void RandomDraw::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                         std::span<NDArray* const> out) const {
  const std::string_view op = dist_name(dist_);
  philox::Position at = read_state(*in[0], op);
  const Shape shape = read_size(*in[1], ndim_, op);
  NDArray& sample = reuse_or_allocate(*out[1], dtype_, shape);
  const int64_t n = sample.size();
  if (dist_ == Distribution::Binomial) {
    const int64_t trials = scalar_to_int(*in[2], op);
    THEON_CHECK_USER(trials >= 0, ValueError) << "binomial: n = " << trials << " is negative";
    NDArray p = in[3]->astype(DType::Float64).broadcast_to(shape).contiguous();
    const double* pv = p.data<double>();
    for (int64_t i = 0; i < n; ++i)
      THEON_CHECK_USER(pv[i] >= 0 && pv[i] <= 1, ValueError)
          << "binomial: p = " << pv[i] << " is outside [0, 1]";
    // Element i counts the successes among uniforms i * n .. i * n + n - 1.
    const std::vector<double> u =
        uniforms(at, checked_mul(n, trials, [] { return std::string("binomial: size * n"); }));
    NDArray counts = NDArray::empty(DType::Int64, shape);
    int64_t* c = counts.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      int64_t k = 0;
      for (int64_t t = 0; t < trials; ++t) k += u[static_cast<size_t>(i * trials + t)] < pv[i];
      c[i] = k;
    }
    sample.assign(counts);
  } else {
    const bool dbl = dtype_ == DType::Float64;
    if (dist_ == Distribution::Uniform) {
      if (dbl) philox::fill_uniform(at, sample.data<double>(), n);
      else philox::fill_uniform(at, sample.data<float>(), n);
    } else {
      if (dbl) philox::fill_normal(at, sample.data<double>(), n);
      else philox::fill_normal(at, sample.data<float>(), n);
    }
    at.block += philox::groups_for(n, dbl) * philox::kGroupBlocks;
  }
  write_state(*out[0], at);
}

// Samples carry no gradient to the state, the size or the parameters (as Theano's).
Vars RandomDraw::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());
}

// ---- RandomAdvance ----

std::string RandomAdvance::props() const {
  return std::string(dtype_name(dtype_)) + "," + std::to_string(ndim_);
}

std::vector<TensorType> RandomAdvance::make_types(std::span<const Var> inputs) const {
  check_state("random_advance", inputs);
  check_size("random_advance", inputs, 1);
  THEON_CHECK_USER(inputs.size() == 2, TypeError) << "random_advance: expects (state, size)";
  return {kStateType};
}

void RandomAdvance::perform(const ApplyNode&, std::span<const NDArray* const> in,
                            std::span<NDArray* const> out) const {
  philox::Position at = read_state(*in[0], "uniform");
  const int64_t n = shape_size(read_size(*in[1], ndim_, "uniform"));
  at.block += philox::groups_for(n, dtype_ == DType::Float64) * philox::kGroupBlocks;
  write_state(*out[0], at);
}

Vars RandomAdvance::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());
}

// ---- Multinomial ----

std::string Multinomial::props() const { return std::string(dtype_name(dtype_)); }

std::vector<TensorType> Multinomial::make_types(std::span<const Var> inputs) const {
  check_state("multinomial", inputs);
  THEON_CHECK_USER(inputs[1].ndim() == 2 && is_inexact(inputs[1].dtype()) && !is_complex(inputs[1].dtype()),
                   TypeError)
      << "multinomial: pvals must be a float matrix (one distribution per row)" << describe_inputs(inputs);
  THEON_CHECK_USER(inputs[2].ndim() == 0 && is_discrete(inputs[2].dtype()), TypeError)
      << "multinomial: n must be an integer scalar" << describe_inputs(inputs);
  THEON_CHECK_USER(!is_complex(dtype_), TypeError) << "multinomial: dtype " << dtype_name(dtype_) << " is not real";
  return {kStateType, TensorType(dtype_, inputs[1].broadcastable())};
}

void Multinomial::perform(const ApplyNode&, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  philox::Position at = read_state(*in[0], "multinomial");
  const NDArray pvals = in[1]->astype(DType::Float64);
  const int64_t trials = scalar_to_int(*in[2], "multinomial");
  THEON_CHECK_USER(trials >= 0, ValueError) << "multinomial: n = " << trials << " is negative";
  const int64_t rows = pvals.shape(0), k = pvals.shape(1);
  const double* pv = pvals.data<double>();
  for (int64_t i = 0; i < rows * k; ++i)
    THEON_CHECK_USER(pv[i] >= 0, ValueError) << "multinomial: negative probability " << pv[i] << " in pvals";
  NDArray counts = NDArray::zeros(DType::Int64, pvals.shape());
  if (k > 0) {
    // Row r uses uniforms r * n .. r * n + n - 1; whatever the row's probabilities leave
    // above their running sum falls to the last category.
    const std::vector<double> u =
        uniforms(at, checked_mul(rows, trials, [] { return std::string("multinomial: rows * n"); }));
    int64_t* c = counts.data<int64_t>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t t = 0; t < trials; ++t) {
        const double x = u[static_cast<size_t>(r * trials + t)];
        double cumulative = 0;
        int64_t j = 0;
        for (; j < k - 1; ++j) {
          cumulative += pv[r * k + j];
          if (x < cumulative) break;
        }
        ++c[r * k + j];
      }
  }
  reuse_or_allocate(*out[1], dtype_, pvals.shape()).assign(counts);
  write_state(*out[0], at);
}

Vars Multinomial::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());
}

// ---- Permutation ----

std::vector<TensorType> Permutation::make_types(std::span<const Var> inputs) const {
  check_state("permutation", inputs);
  check_size("permutation", inputs, 1);
  THEON_CHECK_USER(inputs[2].ndim() == 0 && is_discrete(inputs[2].dtype()), TypeError)
      << "permutation: n must be an integer scalar" << describe_inputs(inputs);
  BroadcastPattern pattern = pattern_of(inputs[1], ndim_);
  auto n = constant_int(inputs[2]);
  pattern.push_back(n && *n == 1);
  return {kStateType, TensorType(DType::Int64, pattern)};
}

void Permutation::perform(const ApplyNode&, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  philox::Position at = read_state(*in[0], "permutation");
  Shape shape = read_size(*in[1], ndim_, "permutation");
  const int64_t n = scalar_to_int(*in[2], "permutation");
  THEON_CHECK_USER(n >= 0, ValueError) << "permutation: n = " << n << " is negative";
  const int64_t rows = shape_size(shape);
  shape.push_back(n);
  NDArray& o = reuse_or_allocate(*out[1], DType::Int64, shape);
  const std::vector<double> u =
      uniforms(at, checked_mul(rows, n, [] { return std::string("permutation: size * n"); }));
  int64_t* p = o.data<int64_t>();
  // Fisher-Yates on each row; row r uses uniforms r * n + 1 .. r * n + n - 1.
  for (int64_t r = 0; r < rows; ++r) {
    int64_t* row = p + r * n;
    for (int64_t i = 0; i < n; ++i) row[i] = i;
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(row[i], row[below(u[static_cast<size_t>(r * n + i)], i + 1)]);
  }
  write_state(*out[0], at);
}

Vars Permutation::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());
}

// ---- Choice ----

std::string Choice::props() const {
  return std::to_string(ndim_) + (replace_ ? ",replace" : ",no_replace") + (has_p_ ? ",p" : "");
}

std::vector<TensorType> Choice::make_types(std::span<const Var> inputs) const {
  check_state("choice", inputs);
  check_size("choice", inputs, 1);
  THEON_CHECK_USER(inputs[2].ndim() == 0 && is_discrete(inputs[2].dtype()), TypeError)
      << "choice: a must be an integer scalar (the number of items)" << describe_inputs(inputs);
  if (has_p_) {
    THEON_CHECK_USER(inputs.size() == 4 && inputs[3].ndim() == 1 && is_inexact(inputs[3].dtype()), TypeError)
        << "choice: p must be a float vector" << describe_inputs(inputs);
  }
  return {kStateType, TensorType(DType::Int64, pattern_of(inputs[1], ndim_))};
}

void Choice::perform(const ApplyNode&, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  philox::Position at = read_state(*in[0], "choice");
  const Shape shape = read_size(*in[1], ndim_, "choice");
  const int64_t a = scalar_to_int(*in[2], "choice");
  const int64_t n = shape_size(shape);
  THEON_CHECK_USER(a > 0 || n == 0, ValueError) << "choice: a = " << a << " items, need at least one";
  NDArray& o = reuse_or_allocate(*out[1], DType::Int64, shape);
  int64_t* c = o.data<int64_t>();
  if (!replace_) {
    THEON_CHECK_USER(!has_p_, ValueError) << "choice: replace=False with p is not supported";
    THEON_CHECK_USER(n <= a, ValueError)
        << "choice: cannot take " << n << " items out of " << a << " without replacement";
    // The first n places of a Fisher-Yates shuffle of range(a), from the front.
    const std::vector<double> u = uniforms(at, n);
    std::vector<int64_t> items(static_cast<size_t>(a));
    for (int64_t i = 0; i < a; ++i) items[static_cast<size_t>(i)] = i;
    for (int64_t i = 0; i < n; ++i) {
      std::swap(items[static_cast<size_t>(i)], items[static_cast<size_t>(i + below(u[static_cast<size_t>(i)], a - i))]);
      c[i] = items[static_cast<size_t>(i)];
    }
  } else if (has_p_) {
    const NDArray p = in[3]->astype(DType::Float64);
    THEON_CHECK_USER(p.shape(0) == a, ValueError)
        << "choice: p has " << p.shape(0) << " entries for a = " << a << " items";
    std::vector<double> cdf(static_cast<size_t>(a));
    double total = 0;
    for (int64_t i = 0; i < a; ++i) {
      const double pi = p.data<double>()[i];
      THEON_CHECK_USER(pi >= 0, ValueError) << "choice: negative probability " << pi << " in p";
      cdf[static_cast<size_t>(i)] = total += pi;
    }
    THEON_CHECK_USER(std::abs(total - 1) < 1e-6, ValueError) << "choice: p sums to " << total << ", not 1";
    const std::vector<double> u = uniforms(at, n);
    for (int64_t i = 0; i < n; ++i) {
      const auto it = std::upper_bound(cdf.begin(), cdf.end(), u[static_cast<size_t>(i)] * total);
      c[i] = std::min<int64_t>(it - cdf.begin(), a - 1);
    }
  } else {
    const std::vector<double> u = uniforms(at, n);
    for (int64_t i = 0; i < n; ++i) c[i] = below(u[static_cast<size_t>(i)], a);
  }
  write_state(*out[0], at);
}

Vars Choice::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());
}

// ---- ShuffleRows ----

std::vector<TensorType> ShuffleRows::make_types(std::span<const Var> inputs) const {
  check_state("shuffle_row_elements", inputs);
  THEON_CHECK_USER(inputs[1].ndim() >= 1, TypeError)
      << "shuffle_row_elements: x needs at least one dimension" << describe_inputs(inputs);
  return {kStateType, inputs[1].type()};
}

void ShuffleRows::perform(const ApplyNode&, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  philox::Position at = read_state(*in[0], "shuffle_row_elements");
  const NDArray x = in[1]->contiguous();
  const int64_t n = x.shape(x.ndim() - 1);
  const int64_t rows = n == 0 ? 0 : x.size() / n;
  NDArray& o = reuse_or_allocate(*out[1], x.dtype(), x.shape());
  const std::vector<double> u = uniforms(at, rows * n);
  const size_t item = itemsize(x.dtype());
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(o.raw());
  std::vector<int64_t> perm(static_cast<size_t>(n));
  // The same Fisher-Yates as permutation, then a gather of each row.
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(below(u[static_cast<size_t>(r * n + i)], i + 1))]);
    for (int64_t i = 0; i < n; ++i)
      std::copy_n(src + (r * n + perm[static_cast<size_t>(i)]) * item, item, dst + (r * n + i) * item);
  }
  write_state(*out[0], at);
}

}  // namespace theon::detail
