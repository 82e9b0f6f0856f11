// conv2d / conv3d and their two gradients against a direct float64 nested-loop reference
// written here from Theano's definitions: random shapes with strides, dilations, every
// border mode, groups, flipped and unflipped filters, 1x1 kernels and kernels as large as
// the padded image; float32 and float64; the symbolic gradient (tensor::grad) and the
// explicit grad_wrt functions; strided inputs; threads against one thread; errors.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ops/conv/conv_im2col.hpp"
#include "test_util.hpp"
#include "theon/conv.hpp"

namespace theon {
namespace {

namespace T = tensor;
namespace nnet = tensor::nnet;
using testing::allclose;
using testing::random_array;
using testing::throws_with;

struct Case {
  int spatial = 2;
  Shape x, w;  // input (batch, channels, spatial...) and filters
  nnet::BorderMode border = "valid";
  std::vector<int64_t> stride, dilation;
  int64_t groups = 1;
  bool flip = true;

  std::string str() const {
    return "x " + shape_str(x) + " w " + shape_str(w) + " groups " + std::to_string(groups) +
           (flip ? " flipped" : " unflipped");
  }
};

// Padding of axis a for the case's border mode.
int64_t pad_of(const Case& c, int a) {
  const int64_t k = c.w[2 + a], d = c.dilation[a];
  switch (c.border.kind()) {
    case nnet::BorderMode::Kind::Valid: return 0;
    case nnet::BorderMode::Kind::Full: return d * (k - 1);
    case nnet::BorderMode::Kind::Half: return d * (k / 2);
    case nnet::BorderMode::Kind::Explicit:
      return c.border.pads().size() == 1 ? c.border.pads()[0] : c.border.pads()[a];
  }
  return 0;
}

std::vector<int64_t> out_lengths(const Case& c) {
  std::vector<int64_t> out;
  for (int a = 0; a < c.spatial; ++a)
    out.push_back((c.x[2 + a] + 2 * pad_of(c, a) - c.dilation[a] * (c.w[2 + a] - 1) - 1) /
                      c.stride[a] + 1);
  return out;
}

Shape out_shape(const Case& c) {
  Shape s{c.x[0], c.w[0]};
  for (int64_t n : out_lengths(c)) s.push_back(n);
  return s;
}

// y = conv(x, w), gx = dL/dx and gw = dL/dw for L = sum(y * gy), straight from the
// definition: y[n, o, i] = sum_{c, k} x[n, grp(o) Cg + c, i s + k d - p] wf[o, c, k] where
// wf is w reversed along every spatial axis when flipping.
struct Reference {
  NDArray y, gx, gw;
};

Reference reference(const Case& c, const NDArray& x, const NDArray& w, const NDArray& gy) {
  const NDArray xc = x.astype(DType::Float64).copy(), wc = w.astype(DType::Float64).copy(),
                gyc = gy.astype(DType::Float64).copy();
  Reference r{NDArray::zeros(DType::Float64, out_shape(c)), NDArray::zeros(DType::Float64, c.x),
              NDArray::zeros(DType::Float64, c.w)};
  // Spatial lengths padded to 3 axes with trailing 1s (contiguous layouts allow it).
  std::array<int64_t, 3> I{1, 1, 1}, K{1, 1, 1}, O{1, 1, 1}, S{1, 1, 1}, D{1, 1, 1}, P{0, 0, 0};
  const auto outs = out_lengths(c);
  for (int a = 0; a < c.spatial; ++a) {
    I[a] = c.x[2 + a];
    K[a] = c.w[2 + a];
    O[a] = outs[a];
    S[a] = c.stride[a];
    D[a] = c.dilation[a];
    P[a] = pad_of(c, a);
  }
  const int64_t N = c.x[0], C = c.x[1], OC = c.w[0], Cg = C / c.groups, Og = OC / c.groups;
  const double* xd = xc.data<double>();
  const double* wd = wc.data<double>();
  const double* gyd = gyc.data<double>();
  double* yd = r.y.data<double>();
  double* gxd = r.gx.data<double>();
  double* gwd = r.gw.data<double>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t o0 = 0; o0 < O[0]; ++o0)
        for (int64_t o1 = 0; o1 < O[1]; ++o1)
          for (int64_t o2 = 0; o2 < O[2]; ++o2) {
            const int64_t yi = (((n * OC + o) * O[0] + o0) * O[1] + o1) * O[2] + o2;
            for (int64_t ch = 0; ch < Cg; ++ch)
              for (int64_t k0 = 0; k0 < K[0]; ++k0)
                for (int64_t k1 = 0; k1 < K[1]; ++k1)
                  for (int64_t k2 = 0; k2 < K[2]; ++k2) {
                    const int64_t i0 = o0 * S[0] + k0 * D[0] - P[0];
                    const int64_t i1 = o1 * S[1] + k1 * D[1] - P[1];
                    const int64_t i2 = o2 * S[2] + k2 * D[2] - P[2];
                    if (i0 < 0 || i0 >= I[0] || i1 < 0 || i1 >= I[1] || i2 < 0 || i2 >= I[2])
                      continue;
                    const int64_t xi =
                        (((n * C + (o / Og) * Cg + ch) * I[0] + i0) * I[1] + i1) * I[2] + i2;
                    // Flipping reads tap K-1-k of every used axis.
                    const int64_t f0 = c.flip && c.spatial >= 1 ? K[0] - 1 - k0 : k0;
                    const int64_t f1 = c.flip && c.spatial >= 2 ? K[1] - 1 - k1 : k1;
                    const int64_t f2 = c.flip && c.spatial >= 3 ? K[2] - 1 - k2 : k2;
                    const int64_t wi = (((o * Cg + ch) * K[0] + f0) * K[1] + f1) * K[2] + f2;
                    yd[yi] += xd[xi] * wd[wi];
                    gxd[xi] += gyd[yi] * wd[wi];
                    gwd[wi] += gyd[yi] * xd[xi];
                  }
          }
  return r;
}

// A random valid case: the kernel fits the padded image.
Case random_case(std::mt19937& rng, int spatial) {
  auto pick = [&](int lo, int hi) {
    return static_cast<int64_t>(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  Case c;
  c.spatial = spatial;
  c.groups = pick(1, 3) == 3 ? 2 : 1;
  c.flip = pick(0, 1) == 1;
  const int64_t C = c.groups * pick(1, 3), OC = c.groups * pick(1, 3);
  c.x = {pick(1, 4), C};
  c.w = {OC, C / c.groups};
  switch (pick(0, 4)) {
    case 0: c.border = "valid"; break;
    case 1: c.border = "full"; break;
    case 2: c.border = "half"; break;
    case 3: c.border = pick(0, 2); break;
    default: {
      std::vector<int64_t> pads;
      for (int a = 0; a < spatial; ++a) pads.push_back(pick(0, 2));
      c.border = pads;
    }
  }
  for (int a = 0; a < spatial; ++a) {
    const int64_t k = spatial == 3 ? pick(1, 2) : pick(1, 4);
    c.w.push_back(k);
    c.stride.push_back(pick(1, 3));
    c.dilation.push_back(pick(1, 2));
  }
  for (int a = 0; a < spatial; ++a) {
    const int64_t span = c.dilation[a] * (c.w[2 + a] - 1) + 1;
    const int64_t least = std::max<int64_t>(1, span - 2 * pad_of(c, a));
    c.x.push_back(std::max(least, pick(1, spatial == 3 ? 5 : 9)));
  }
  return c;
}

Var conv_of(const Case& c, const Var& x, const Var& w) {
  if (c.spatial == 2)
    return nnet::conv2d(x, w, {}, {}, c.border, c.stride, c.flip, c.dilation, c.groups);
  return nnet::conv3d(x, w, {}, {}, c.border, c.stride, c.flip, c.dilation, c.groups);
}

Var operand(DType dtype, int rank, const char* name) {
  return T::tensor(dtype, BroadcastPattern(rank, false), name);
}

void check_case(const Case& c, DType dtype, unsigned seed) {
  SCOPED_TRACE(c.str() + " " + std::string(dtype_name(dtype)));
  const int rank = c.spatial + 2;
  const NDArray xv = random_array(c.x, dtype, -1, 1, seed);
  const NDArray wv = random_array(c.w, dtype, -1, 1, seed + 1);
  const NDArray gyv = random_array(out_shape(c), dtype, -1, 1, seed + 2);
  const Reference want = reference(c, xv, wv, gyv);
  Var x = operand(dtype, rank, "x"), w = operand(dtype, rank, "w"), gy = operand(dtype, rank, "gy");
  const Var y = conv_of(c, x, w);
  const Var cost = T::sum(y * gy);
  const Vars grads = T::grad(cost, {x, w});
  Vars outs{y, grads[0], grads[1]};
  if (c.spatial == 2) {
    outs.push_back(nnet::conv2d_grad_wrt_inputs(gy, w, T::shape(x), {}, c.border, c.stride, c.flip,
                                                c.dilation, c.groups));
    outs.push_back(nnet::conv2d_grad_wrt_weights(x, gy, T::shape(w), {}, c.border, c.stride,
                                                 c.flip, c.dilation, c.groups));
  } else {
    outs.push_back(nnet::conv3d_grad_wrt_inputs(gy, w, T::shape(x), {}, c.border, c.stride, c.flip,
                                                c.dilation, c.groups));
    outs.push_back(nnet::conv3d_grad_wrt_weights(x, gy, T::shape(w), {}, c.border, c.stride,
                                                 c.flip, c.dilation, c.groups));
  }
  const Result got = function({x, w, gy}, outs)(xv, wv, gyv);
  const double tol = dtype == DType::Float32 ? 1e-4 : 1e-10;
  const NDArray* wants[] = {&want.y, &want.gx, &want.gw, &want.gx, &want.gw};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].dtype(), dtype) << "output " << i;
    EXPECT_TRUE(allclose(got[i].astype(DType::Float64), *wants[i], tol, tol)) << "output " << i;
  }
}

TEST(Conv, RandomCases2dMatchTheReference) {
  std::mt19937 rng(14);
  for (int i = 0; i < 40; ++i) check_case(random_case(rng, 2), i % 3 ? DType::Float64 : DType::Float32, 100 + i);
}

TEST(Conv, RandomCases3dMatchTheReference) {
  std::mt19937 rng(15);
  for (int i = 0; i < 16; ++i) check_case(random_case(rng, 3), i % 3 ? DType::Float64 : DType::Float32, 200 + i);
}

TEST(Conv, SpecialShapes) {
  // 1x1 filters (the image is its own column matrix), a kernel as large as the image,
  // a kernel larger than the image with full padding, an odd single row, LeNet's shape.
  std::vector<Case> cases = {
      {2, {3, 4, 5, 6}, {5, 4, 1, 1}, "valid", {1, 1}, {1, 1}, 1, true},
      {2, {5, 4, 5, 6}, {6, 2, 1, 1}, "valid", {1, 1}, {1, 1}, 2, false},
      {2, {2, 2, 5, 7}, {3, 2, 5, 7}, "valid", {1, 1}, {1, 1}, 1, true},
      {2, {2, 1, 2, 3}, {2, 1, 4, 4}, "full", {1, 1}, {1, 1}, 1, true},
      {2, {1, 1, 1, 9}, {2, 1, 1, 3}, "half", {1, 2}, {1, 3}, 1, true},
      {2, {9, 1, 28, 28}, {4, 1, 5, 5}, "valid", {1, 1}, {1, 1}, 1, true},
      {3, {2, 2, 1, 1, 1}, {2, 2, 1, 1, 1}, "valid", {1, 1, 1}, {1, 1, 1}, 1, true},
  };
  unsigned seed = 300;
  for (const Case& c : cases) check_case(c, DType::Float64, seed++);
  check_case(cases[5], DType::Float32, seed++);
}

TEST(Conv, EmptyBatchGivesEmptyOutputAndZeroFilterGradient) {
  Case c{2, {0, 2, 5, 5}, {3, 2, 3, 3}, "valid", {1, 1}, {1, 1}, 1, true};
  check_case(c, DType::Float64, 400);
}

TEST(Conv, StridedInputsAreCopiedFirst) {
  // (N, C, W, H) transposed to (N, C, H, W): a view whose last axis is not contiguous.
  const NDArray base = random_array({3, 2, 7, 6}, DType::Float64, -1, 1, 7);
  const std::vector<int> perm{0, 1, 3, 2};
  const NDArray view = base.transpose(perm);
  ASSERT_FALSE(view.is_contiguous());
  const NDArray wv = random_array({4, 2, 3, 2}, DType::Float64, -1, 1, 8);
  Var x = T::dtensor4("x"), w = T::dtensor4("w");
  Function f = function({x, w}, nnet::conv2d(x, w, {}, {}, 1, {2, 1}));
  const NDArray strided = f(view, wv);
  const NDArray dense = f(view.copy(), wv);
  EXPECT_TRUE(allclose(strided, dense, 0, 0));
  // A symbolic dimshuffle in the graph as well.
  Var xt = T::dtensor4("xt");
  Function g = function({xt, w}, nnet::conv2d(T::dimshuffle(xt, {0, 1, 3, 2}), w, {}, {}, 1, {2, 1}));
  EXPECT_TRUE(allclose(g(base, wv), dense, 1e-12, 1e-12));
}

TEST(Conv, ThreadsMatchOneThread) {
  Case c{2, {7, 3, 9, 8}, {4, 3, 3, 3}, 1, {2, 1}, {1, 2}, 1, true};
  const NDArray xv = random_array(c.x, DType::Float32, -1, 1, 9);
  const NDArray wv = random_array(c.w, DType::Float32, -1, 1, 10);
  Var x = T::ftensor4("x"), w = T::ftensor4("w");
  const Var y = conv_of(c, x, w);
  const Vars grads = T::grad(T::sum(y * y), {x, w});
  Function f = function({x, w}, {y, grads[0], grads[1]});
  detail::conv::im2col::set_max_threads(1);
  const Result one = f(xv, wv);
  std::vector<NDArray> serial(one.begin(), one.end());
  for (NDArray& a : serial) a = a.copy();
  detail::conv::im2col::set_max_threads(0);
  const Result many = f(xv, wv);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(allclose(many[i], serial[i], 1e-5, 1e-5)) << i;
}

TEST(Conv, Float32WithFloat64ComputesInFloat64) {
  Var x = T::ftensor4("x"), w = T::dtensor4("w");
  EXPECT_EQ(nnet::conv2d(x, w).dtype(), DType::Float64);
}

TEST(Conv, ShapeHintsAreCheckedWhenTheFunctionRuns) {
  Var x = T::dtensor4("x"), w = T::dtensor4("w");
  Function f = function({x, w}, nnet::conv2d(x, w, {2, 1, 6, 6}, {3, 1, std::nullopt, 3}));
  const NDArray wv = random_array({3, 1, 3, 3});
  EXPECT_EQ(f(random_array({2, 1, 6, 6}), wv).array().shape(), (Shape{2, 3, 4, 4}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(random_array({4, 1, 6, 6}), wv); },
                                      {"conv2d", "input_shape hint (2, 1, 6, 6)", "(4, 1, 6, 6)"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::conv2d(x, w, {2, 1, 6}); },
                                      {"conv2d", "input_shape needs 4 entries"}));
}

TEST(Conv, BadArgumentsAreClearErrors) {
  Var x = T::dtensor4("x"), w = T::dtensor4("w");
  EXPECT_TRUE(throws_with<TypeError>([&] { nnet::conv2d(T::ltensor4("xi"), w); },
                                     {"conv2d", "float32 or float64", "int64", "xi"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { nnet::conv2d(T::dmatrix("m"), w); }, {"conv2d", "rank 4"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { nnet::conv3d(x, w); }, {"conv3d", "rank 5"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::conv2d(x, w, {}, {}, "same"); },
                                      {"conv2d", "border_mode", "same"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::conv2d(x, w, {}, {}, "valid", {0, 1}); },
                                      {"conv2d", "subsample must be positive"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::conv2d(x, w, {}, {}, std::vector<int64_t>{1, 2, 3}); },
                                      {"conv2d", "border_mode needs 1 or 2"}));
  auto run = [&](const Var& y, const Shape& xs, const Shape& ws) {
    function({x, w}, y)(random_array(xs), random_array(ws));
  };
  EXPECT_TRUE(throws_with<ShapeError>([&] { run(nnet::conv2d(x, w), {2, 3, 5, 5}, {4, 2, 3, 3}); },
                                      {"conv2d", "3 channels", "(2, 3, 5, 5)", "(4, 2, 3, 3)"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { run(nnet::conv2d(x, w, {}, {}, "valid", {1, 1}, true, {1, 1}, 2), {2, 3, 5, 5}, {4, 1, 3, 3}); },
      {"conv2d", "num_groups 2 must divide"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { run(nnet::conv2d(x, w), {2, 1, 4, 4}, {1, 1, 5, 5}); },
                                      {"conv2d", "larger than the padded image"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { run(nnet::conv2d(x, w, {}, {}, "valid", {1, 1}, true, {2, 2}), {2, 1, 4, 4}, {1, 1, 3, 3}); },
      {"conv2d", "dilation 2", "spanning 5"}));
  // A grad_wrt_inputs shape that this output gradient cannot come from.
  Var gy = T::dtensor4("gy");
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        function({gy, w}, nnet::conv2d_grad_wrt_inputs(gy, w, Shape{1, 1, 9, 9}))(
            random_array({1, 1, 3, 3}), random_array({1, 1, 3, 3}));
      },
      {"conv2d_grad_input", "output gradient has shape (1, 1, 3, 3)"}));
}

TEST(Conv, TransposeUpsamplesAndIsTheAdjointOfConv) {
  // <conv(x, w), y> == <x, conv2d_transpose(y, w)> for a strided convolution.
  Var x = T::dtensor4("x"), w = T::dtensor4("w"), y = T::dtensor4("y");
  const Var forward = nnet::conv2d(x, w, {}, {}, 1, {2, 2});
  const Var back = nnet::conv2d_transpose(y, w, Shape{2, 3, 7, 8}, {}, 1, {2, 2});
  Function f = function({x, w, y}, {T::sum(forward * y), T::sum(x * back)});
  const Result r = f(random_array({2, 3, 7, 8}, DType::Float64, -1, 1, 1),
                     random_array({4, 3, 3, 3}, DType::Float64, -1, 1, 2),
                     random_array({2, 4, 4, 4}, DType::Float64, -1, 1, 3));
  EXPECT_NEAR(r[0].item<double>(), r[1].item<double>(), 1e-10);
  EXPECT_EQ(nnet::get_conv_shape_1axis(7, 3, 1, 2), 4);
  EXPECT_EQ(nnet::get_conv_shape_1axis(5, 3, "full", 1), 7);
  EXPECT_EQ(nnet::get_conv_shape_1axis(5, 3, "half", 1, 2), 5);
  EXPECT_EQ(nnet::get_conv_shape_1axis(std::nullopt, 3, "valid", 1), std::nullopt);
}

}  // namespace
}  // namespace theon
