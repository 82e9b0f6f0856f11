// Every convolution algorithm (im2col + GEMM, oneDNN, the direct AVX-512 kernel) and
// every pass against nested loops in float64, on random geometries: groups, dilation,
// strides, padding, odd sizes, 1x1 kernels, batch 1 and 0, 2-d and 3-d. Also the
// dispatch under each THEON_FLAGS conv_algorithm value, and oneDNN's plain and blocked
// layouts. The oneDNN tests skip when Theon was built without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ops/conv/conv_algorithms.hpp"
#include "ops/conv/conv_im2col.hpp"
#include "ops/conv/conv_kernels.hpp"
#include "theon/config.hpp"
#include "theon/error.hpp"

namespace theon::detail::conv {
namespace {

// ---- The reference: the definition in conv_kernels.hpp, one loop per index. ----

struct Index {
  const Geometry& g;
  int64_t in(int64_t n, int64_t c, const int64_t* p) const {
    return (((n * g.in_channels + c) * g.image[0] + p[0]) * g.image[1] + p[1]) * g.image[2] +
           p[2];
  }
  int64_t out(int64_t n, int64_t o, const int64_t* p) const {
    return (((n * g.out_channels + o) * g.output[0] + p[0]) * g.output[1] + p[1]) *
               g.output[2] +
           p[2];
  }
  int64_t filter(int64_t o, int64_t c, const int64_t* p) const {
    return (((o * g.channels_per_group() + c) * g.kernel[0] + p[0]) * g.kernel[1] + p[1]) *
               g.kernel[2] +
           p[2];
  }
};

// Calls visit(input index, output index, filter index) for every product of the
// convolution whose input index falls inside the image.
template <class F>
void for_each_product(const Geometry& g, F&& visit) {
  const Index at{g};
  const int64_t cg = g.channels_per_group(), og = g.filters_per_group();
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t o = 0; o < g.out_channels; ++o)
      for (int64_t c = 0; c < cg; ++c) {
        const int64_t ci = o / og * cg + c;
        int64_t y[3], j[3], x[3];
        for (y[0] = 0; y[0] < g.output[0]; ++y[0])
          for (y[1] = 0; y[1] < g.output[1]; ++y[1])
            for (y[2] = 0; y[2] < g.output[2]; ++y[2])
              for (j[0] = 0; j[0] < g.kernel[0]; ++j[0])
                for (j[1] = 0; j[1] < g.kernel[1]; ++j[1])
                  for (j[2] = 0; j[2] < g.kernel[2]; ++j[2]) {
                    bool inside = true;
                    for (int d = 0; d < 3; ++d) {
                      x[d] = y[d] * g.stride[d] + j[d] * g.dilation[d] - g.pad[d];
                      inside = inside && x[d] >= 0 && x[d] < g.image[d];
                    }
                    if (inside) visit(at.in(n, ci, x), at.out(n, o, y), at.filter(o, c, j));
                  }
      }
}

struct Sizes {
  int64_t input, filters, output;
};
Sizes sizes_of(const Geometry& g) {
  return {g.batch * g.in_channels * g.image_size(),
          g.out_channels * g.channels_per_group() * g.kernel_size(),
          g.batch * g.out_channels * g.output_size()};
}

std::vector<double> reference(const Geometry& g, Pass pass, const std::vector<double>& a,
                              const std::vector<double>& b) {
  const Sizes s = sizes_of(g);
  std::vector<double> r(pass == Pass::Forward     ? s.output
                        : pass == Pass::GradInput ? s.input
                                                  : s.filters,
                        0.0);
  for_each_product(g, [&](int64_t i, int64_t o, int64_t f) {
    if (pass == Pass::Forward) r[o] += a[i] * b[f];        // a = input, b = filters
    else if (pass == Pass::GradInput) r[i] += a[o] * b[f];  // a = grad_output, b = filters
    else r[f] += a[i] * b[o];                               // a = input, b = grad_output
  });
  return r;
}

// ---- Random geometries. ----

Geometry random_geometry(std::mt19937& rng, int spatial) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Geometry g;
  g.spatial = spatial;
  g.batch = pick(0, 6) == 0 ? pick(0, 1) : pick(1, 3);
  g.groups = pick(1, 3) == 3 ? pick(2, 3) : 1;
  g.in_channels = g.groups * pick(1, 4);
  g.out_channels = g.groups * pick(1, 5);
  for (int d = 0; d < spatial; ++d) {
    g.kernel[d] = pick(1, spatial == 2 ? 5 : 3);
    g.stride[d] = pick(1, 3) == 3 ? 2 : 1;
    g.dilation[d] = pick(1, 4) == 4 ? 2 : 1;
    g.pad[d] = pick(0, 2);
    const int64_t span = (g.kernel[d] - 1) * g.dilation[d] + 1;
    // Images as small as the (padded) window and odd sizes above it.
    g.image[d] = std::max<int64_t>(1, span - 2 * g.pad[d]) + pick(0, spatial == 2 ? 7 : 3);
    g.output[d] = (g.image[d] + 2 * g.pad[d] - span) / g.stride[d] + 1;
  }
  return g;
}

std::vector<double> random_values(std::mt19937& rng, int64_t n) {
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

std::string describe(const Geometry& g, Pass pass, std::string_view algorithm) {
  std::string s = std::string(algorithm) + " " + std::string(pass_name(pass)) + ": batch " +
                  std::to_string(g.batch) + ", " + std::to_string(g.in_channels) + "->" +
                  std::to_string(g.out_channels) + " groups " + std::to_string(g.groups);
  for (int d = 0; d < g.spatial; ++d)
    s += " | axis " + std::to_string(d) + ": image " + std::to_string(g.image[d]) +
         " kernel " + std::to_string(g.kernel[d]) + " stride " + std::to_string(g.stride[d]) +
         " dilation " + std::to_string(g.dilation[d]) + " pad " + std::to_string(g.pad[d]);
  return s;
}

// Runs `pass` of `g` with `run(a, b, out)` on float32 copies of random operands and
// compares with the reference (tolerance scaled by the number of products per output).
template <class T, class Run>
void expect_matches(const Geometry& g, Pass pass, std::string_view algorithm, std::mt19937& rng,
                    Run&& run) {
  const Sizes s = sizes_of(g);
  const int64_t a_size = pass == Pass::GradInput ? s.output : s.input;
  const int64_t b_size = pass == Pass::GradFilters ? s.output : s.filters;
  const auto a = random_values(rng, a_size), b = random_values(rng, b_size);
  const auto want = reference(g, pass, a, b);
  // Poisoned output: every element must be overwritten.
  std::vector<T> got(want.size(), T(12345));
  const auto a_t = cast<T>(a), b_t = cast<T>(b);
  run(a_t.data(), b_t.data(), got.data());
  const double terms = double(g.channels_per_group() * g.kernel_size()) *
                       (pass == Pass::Forward ? 1.0 : double(std::max<int64_t>(g.batch, 1)) *
                                                          double(g.output_size()));
  const double tolerance = (sizeof(T) == 4 ? 2e-6 : 1e-13) * (8 + terms);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR(double(got[i]), want[i], tolerance)
        << "element " << i << " of " << describe(g, pass, algorithm);
  }
}

constexpr Pass kPasses[] = {Pass::Forward, Pass::GradInput, Pass::GradFilters};

template <class T>
void run_pass(Algorithm a, Pass pass, const Geometry& g, const T* x, const T* y, T* out) {
  if constexpr (std::is_same_v<T, float>) {
    if (is_onednn(a)) {
      if (pass == Pass::Forward) onednn::forward(g, x, y, out, a);
      else if (pass == Pass::GradInput) onednn::grad_input(g, x, y, out, a);
      else onednn::grad_filters(g, x, y, out, a);
      return;
    }
    if (a == Algorithm::Direct) {
      direct::forward(g, x, y, out);
      return;
    }
    if (a == Algorithm::Lanes) {
      if (pass == Pass::Forward) lanes::forward(g, x, y, out);
      else if (pass == Pass::GradInput) lanes::grad_input(g, x, y, out);
      else lanes::grad_filters(g, x, y, out);
      return;
    }
  }
  if (pass == Pass::Forward) im2col::forward(g, x, y, out);
  else if (pass == Pass::GradInput) im2col::grad_input(g, x, y, out);
  else im2col::grad_filters(g, x, y, out);
}

// Whether the kernel may be called directly with g (the dispatch handles empty shapes).
bool has_products(const Geometry& g) { return g.macs() > 0; }

void check_algorithm(Algorithm a, int cases, unsigned seed) {
  std::mt19937 rng(seed);
  int checked = 0;
  for (int i = 0; i < cases; ++i) {
    const Geometry g = random_geometry(rng, i % 4 == 3 ? 3 : 2);
    if (!has_products(g)) continue;
    for (Pass pass : kPasses) {
      if (!can_run(a, g, true, pass)) continue;
      expect_matches<float>(g, pass, algorithm_name(a), rng, [&](auto x, auto y, auto out) {
        run_pass<float>(a, pass, g, x, y, out);
      });
      ++checked;
    }
  }
  EXPECT_GT(checked, cases / 2) << "too few geometries ran " << algorithm_name(a);
}

TEST(ConvAlgorithms, Im2colMatchesReferenceFloat32AndFloat64) {
  check_algorithm(Algorithm::Im2col, 60, 1);
  std::mt19937 rng(2);
  for (int i = 0; i < 30; ++i) {
    const Geometry g = random_geometry(rng, i % 3 == 2 ? 3 : 2);
    if (!has_products(g)) continue;
    for (Pass pass : kPasses)
      expect_matches<double>(g, pass, "im2col", rng, [&](auto x, auto y, auto out) {
        run_pass<double>(Algorithm::Im2col, pass, g, x, y, out);
      });
  }
}

TEST(ConvAlgorithms, OneDnnMatchesReference) {
  if (!onednn::available()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
  check_algorithm(Algorithm::OneDnn, 80, 3);
}

TEST(ConvAlgorithms, OneDnnPlainLayoutsMatchReference) {
  if (!onednn::available()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
  check_algorithm(Algorithm::OneDnnPlain, 40, 4);
}

// Winograd's shapes (3x3, stride 1): channel counts oneDNN's Winograd kernel takes (16s)
// and ones it may not, where its direct kernel stands in. Winograd's transforms round
// differently from the direct sum, hence the wider tolerance.
TEST(ConvAlgorithms, OneDnnWinogradMatchesReference) {
  if (!onednn::available()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
  std::mt19937 rng(8);
  for (auto [batch, in, out, image, pad] : std::vector<std::array<int64_t, 5>>{
           {2, 16, 16, 9, 1}, {1, 32, 16, 12, 0}, {3, 3, 5, 7, 1}, {2, 16, 32, 6, 1}}) {
    Geometry g;
    g.batch = batch;
    g.in_channels = in;
    g.out_channels = out;
    g.image = {image, image + 1, 1};
    g.kernel = {3, 3, 1};
    g.pad = {pad, pad, 0};
    g.output = {image + 2 * pad - 2, image + 1 + 2 * pad - 2, 1};
    ASSERT_TRUE(can_run(Algorithm::OneDnnWinograd, g, true, Pass::Forward));
    for (Pass pass : kPasses)
      expect_matches<float>(g, pass, "onednn_winograd", rng, [&](auto x, auto y, auto o) {
        run_pass<float>(Algorithm::OneDnnWinograd, pass, g, x, y, o);
      });
  }
}

Geometry lenet_first_layer(int64_t batch) {
  Geometry g;
  g.batch = batch;
  g.in_channels = 1;
  g.out_channels = 20;
  g.image = {28, 28, 1};
  g.kernel = {5, 5, 1};
  g.output = {24, 24, 1};
  return g;
}

// The direct kernel's own domain: stride 1, few channels, any padding and dilation.
Geometry direct_geometry(std::mt19937& rng) {
  for (;;) {
    Geometry g = random_geometry(rng, 2);
    g.stride = {1, 1, 1};
    g.batch = std::max<int64_t>(g.batch, 1) + (rng() % 4 == 0 ? 4 : 0);  // odd thread splits
    for (int d = 0; d < 2; ++d) {
      const int64_t span = (g.kernel[d] - 1) * g.dilation[d] + 1;
      g.output[d] = g.image[d] + 2 * g.pad[d] - span + 1;
    }
    if (direct::supports(g)) return g;
  }
}

TEST(ConvAlgorithms, DirectMatchesReference) {
  if (!direct::supports(lenet_first_layer(1))) GTEST_SKIP() << "this CPU lacks AVX-512";
  std::mt19937 rng(5);
  for (int i = 0; i < 60; ++i) {
    const Geometry g = direct_geometry(rng);
    expect_matches<float>(g, Pass::Forward, "direct", rng, [&](auto x, auto y, auto out) {
      direct::forward(g, x, y, out);
    });
  }
  // LeNet's first layer, with more filters than one register block holds (8 + 8 + 4).
  const Geometry g = lenet_first_layer(3);
  expect_matches<float>(g, Pass::Forward, "direct", rng, [&](auto x, auto y, auto out) {
    direct::forward(g, x, y, out);
  });
}

// The batch-lanes kernels' domain (2-d, one group, stride 1, no dilation), every pass
// (kernels up to 7 wide, the most grad-input takes), with batches
// that do and do not fill blocks of 16 images, rows wider than one 8-column step, kernels
// wider than one 5-column step, filter counts that leave 1, 2 or 3 after the full steps.
Geometry lanes_geometry(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Geometry g;
  const int64_t batches[] = {1, 5, 16, 17, 35};
  g.batch = batches[pick(0, 4)];
  g.in_channels = pick(1, 7);
  g.out_channels = pick(1, 9);
  for (int d = 0; d < 2; ++d) {
    g.kernel[d] = pick(1, 7);
    g.pad[d] = pick(0, 2);
    g.image[d] = std::max<int64_t>(1, g.kernel[d] - 2 * g.pad[d]) + pick(0, 12);
    g.output[d] = g.image[d] + 2 * g.pad[d] - g.kernel[d] + 1;
  }
  return g;
}

TEST(ConvAlgorithms, LanesMatchesReference) {
  if (!lanes::supports(lenet_first_layer(1))) GTEST_SKIP() << "this CPU lacks AVX-512";
  std::mt19937 rng(9);
  for (int i = 0; i < 40; ++i) {
    const Geometry g = lanes_geometry(rng);
    ASSERT_TRUE(lanes::supports(g)) << g.describe();
    for (Pass pass : kPasses)
      expect_matches<float>(g, pass, "lanes", rng, [&](auto x, auto y, auto out) {
        run_pass<float>(Algorithm::Lanes, pass, g, x, y, out);
      });
  }
  // LeNet's second layer at a batch that leaves a partial block.
  Geometry g = lenet_first_layer(19);
  g.in_channels = 20;
  g.out_channels = 50;
  g.image = {12, 12, 1};
  g.output = {8, 8, 1};
  for (Pass pass : kPasses)
    expect_matches<float>(g, pass, "lanes", rng, [&](auto x, auto y, auto out) {
      run_pass<float>(Algorithm::Lanes, pass, g, x, y, out);
    });
}

TEST(ConvAlgorithms, LanesRefusesWhatItCannotRun) {
  Geometry g = lenet_first_layer(2);
  g.stride = {2, 2, 1};
  g.output = {12, 12, 1};
  EXPECT_FALSE(lanes::supports(g));
  g = lenet_first_layer(2);
  g.dilation = {2, 1, 1};
  g.output = {20, 24, 1};
  EXPECT_FALSE(lanes::supports(g));
  g = lenet_first_layer(2);
  g.in_channels = g.out_channels = 2;
  g.groups = 2;
  EXPECT_FALSE(lanes::supports(g));
  EXPECT_FALSE(can_run(Algorithm::Lanes, lenet_first_layer(2), false, Pass::Forward));
  g = lenet_first_layer(2);
  g.kernel = {5, 8, 1};  // grad-input's steps are compiled for kernels up to 7 wide
  g.output = {24, 21, 1};
  EXPECT_TRUE(can_run(Algorithm::Lanes, g, true, Pass::Forward));
  EXPECT_FALSE(can_run(Algorithm::Lanes, g, true, Pass::GradInput));
}

TEST(ConvAlgorithms, DirectRefusesWhatItCannotRun) {
  Geometry g = lenet_first_layer(2);
  g.stride = {2, 2, 1};
  g.output = {12, 12, 1};
  EXPECT_FALSE(direct::supports(g));
  g = lenet_first_layer(2);
  g.in_channels = 20;  // GEMM's inner dimension is long enough
  EXPECT_FALSE(direct::supports(g));
  EXPECT_FALSE(can_run(Algorithm::Direct, lenet_first_layer(2), false, Pass::Forward));
  EXPECT_FALSE(can_run(Algorithm::Direct, lenet_first_layer(2), true, Pass::GradInput));
  EXPECT_FALSE(can_run(Algorithm::OneDnn, lenet_first_layer(2), false, Pass::Forward));
}

// The entry points the ops call, under each forced algorithm and auto, in both dtypes,
// including empty shapes (batch 0, no channels) where outputs must be zeros.
class ForcedAlgorithm : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { config().conv_algorithm = GetParam(); }
  void TearDown() override { config().conv_algorithm = "auto"; }
};

template <class T>
void check_dispatch(const Geometry& g, std::mt19937& rng, const char* label) {
  expect_matches<T>(g, Pass::Forward, label, rng,
                    [&](auto x, auto y, auto out) { forward<T>(g, x, y, out); });
  expect_matches<T>(g, Pass::GradInput, label, rng,
                    [&](auto x, auto y, auto out) { grad_input<T>(g, x, y, out); });
  expect_matches<T>(g, Pass::GradFilters, label, rng,
                    [&](auto x, auto y, auto out) { grad_filters<T>(g, x, y, out); });
}

TEST_P(ForcedAlgorithm, DispatchMatchesReference) {
  std::mt19937 rng(6);
  for (int i = 0; i < 16; ++i) {
    const Geometry g = random_geometry(rng, i % 4 == 3 ? 3 : 2);
    check_dispatch<float>(g, rng, GetParam());
    check_dispatch<double>(g, rng, GetParam());
  }
  check_dispatch<float>(lenet_first_layer(2), rng, GetParam());
  Geometry empty = lenet_first_layer(0);
  check_dispatch<float>(empty, rng, GetParam());
  empty = lenet_first_layer(2);
  empty.in_channels = 0;
  check_dispatch<float>(empty, rng, GetParam());
}

INSTANTIATE_TEST_SUITE_P(ConvAlgorithms, ForcedAlgorithm,
                         ::testing::Values("auto", "im2col", "onednn", "onednn_plain",
                                           "onednn_winograd", "direct", "lanes"));

TEST(ConvAlgorithms, ChoiceFollowsTheFlag) {
  const Geometry g = lenet_first_layer(4);
  config().conv_algorithm = "im2col";
  EXPECT_EQ(choose_algorithm(g, true, Pass::Forward), Algorithm::Im2col);
  config().conv_algorithm = "onednn";
  EXPECT_EQ(choose_algorithm(g, true, Pass::Forward),
            onednn::available() ? Algorithm::OneDnn : choose_algorithm(g, true, Pass::Forward));
  // A forced algorithm that cannot run the case falls back to auto's choice.
  EXPECT_EQ(choose_algorithm(g, false, Pass::Forward), Algorithm::Im2col);
  config().conv_algorithm = "auto";
  EXPECT_EQ(choose_algorithm(g, false, Pass::GradFilters), Algorithm::Im2col);
  EXPECT_THROW(apply_flags(config(), "conv_algorithm=winograd"), theon::ValueError);
  EXPECT_EQ(config().conv_algorithm, "auto");
}

// auto's picks on the benchmark's shapes (docs/conv_algorithms.md).
TEST(ConvAlgorithms, AutoPicksTheMeasuredFastest) {
  Geometry vgg;
  vgg.batch = 32;
  vgg.in_channels = vgg.out_channels = 64;
  vgg.image = vgg.output = {56, 56, 1};
  vgg.kernel = {3, 3, 1};
  vgg.pad = {1, 1, 0};
  const Geometry lenet = lenet_first_layer(128);
  const bool onednn = onednn::available();
  for (Pass pass : kPasses) {
    EXPECT_EQ(choose_algorithm(vgg, true, pass),
              onednn ? Algorithm::OneDnnWinograd : Algorithm::Im2col);
    EXPECT_EQ(choose_algorithm(vgg, false, pass), Algorithm::Im2col);
  }
  if (direct::supports(lenet))
    EXPECT_EQ(choose_algorithm(lenet, true, Pass::Forward), Algorithm::Direct);
  EXPECT_EQ(choose_algorithm(lenet, true, Pass::GradInput), Algorithm::Im2col);
  EXPECT_EQ(choose_algorithm(lenet, true, Pass::GradFilters), Algorithm::Im2col);
  Geometry lenet2 = lenet;
  lenet2.in_channels = 20;
  lenet2.out_channels = 50;
  lenet2.image = {12, 12, 1};
  lenet2.output = {8, 8, 1};
  if (lanes::supports(lenet2)) {
    EXPECT_EQ(choose_algorithm(lenet2, true, Pass::Forward), Algorithm::Lanes);
    EXPECT_EQ(choose_algorithm(lenet2, true, Pass::GradFilters), Algorithm::Lanes);
  }
  if (lanes::supports(lenet2))
    EXPECT_EQ(choose_algorithm(lenet2, true, Pass::GradInput), Algorithm::Lanes);
  lenet2.batch = 8;  // half a block of lanes
  EXPECT_NE(choose_algorithm(lenet2, true, Pass::Forward), Algorithm::Lanes);
}

// A cached oneDNN primitive serves the second call with new data correctly, and geometries
// that differ only in padding or dilation get their own primitives.
TEST(ConvAlgorithms, OneDnnCacheKeepsGeometriesApart) {
  if (!onednn::available()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
  std::mt19937 rng(7);
  Geometry g = lenet_first_layer(2);
  for (int repeat = 0; repeat < 2; ++repeat)
    for (Pass pass : kPasses)
      expect_matches<float>(g, pass, "onednn", rng, [&](auto x, auto y, auto out) {
        run_pass<float>(Algorithm::OneDnn, pass, g, x, y, out);
      });
  g.pad = {2, 2, 0};
  g.output = {28, 28, 1};
  expect_matches<float>(g, Pass::Forward, "onednn", rng, [&](auto x, auto y, auto out) {
    onednn::forward(g, x, y, out);
  });
  g.dilation = {2, 1, 1};
  g.output = {24, 28, 1};
  expect_matches<float>(g, Pass::Forward, "onednn", rng, [&](auto x, auto y, auto out) {
    onednn::forward(g, x, y, out);
  });
}

}  // namespace
}  // namespace theon::detail::conv
