// Each convolution algorithm alone (forward, grad-input, grad-filters) on the LeNet-5
// shapes and a VGG-style 3x3 shape, in GFLOP/s (2 x multiply-adds / time), median of
// repeats: the numbers behind conv_choice.cpp (docs/conv_algorithms.md). The thread count
// is the process's (OMP_NUM_THREADS, read by Theon's pool and by oneDNN alike); run it
// once per count. bench/conv_ops_torch.py times PyTorch on the same shapes.
//
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 theon_conv_ops [--repeats N] [--quick]
//       [--only im2col,onednn,onednn_plain,onednn_winograd,direct]
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "core/parallel.hpp"
#include "ops/conv/conv_algorithms.hpp"
#include "ops/conv/conv_im2col.hpp"

namespace conv = theon::detail::conv;

namespace {

struct Shape {
  const char* name;
  conv::Geometry g;
};

conv::Geometry geometry(int64_t batch, int64_t in, int64_t out, int64_t image, int64_t kernel,
                        int64_t pad) {
  conv::Geometry g;
  g.batch = batch;
  g.in_channels = in;
  g.out_channels = out;
  g.image = {image, image, 1};
  g.kernel = {kernel, kernel, 1};
  g.pad = {pad, pad, 0};
  const int64_t o = image + 2 * pad - kernel + 1;
  g.output = {o, o, 1};
  return g;
}

struct Variant {
  const char* name;
  conv::Algorithm algorithm;
};

void run_pass(const Variant& v, conv::Pass pass, const conv::Geometry& g, const float* a,
              const float* b, float* out) {
  using conv::Algorithm;
  using conv::Pass;
  switch (v.algorithm) {
    case Algorithm::OneDnn:
    case Algorithm::OneDnnPlain:
    case Algorithm::OneDnnWinograd:
      if (pass == Pass::Forward) conv::onednn::forward(g, a, b, out, v.algorithm);
      else if (pass == Pass::GradInput) conv::onednn::grad_input(g, a, b, out, v.algorithm);
      else conv::onednn::grad_filters(g, a, b, out, v.algorithm);
      return;
    case Algorithm::Direct: conv::direct::forward(g, a, b, out); return;
    case Algorithm::Lanes:
      if (pass == Pass::Forward) conv::lanes::forward(g, a, b, out);
      else if (pass == Pass::GradInput) conv::lanes::grad_input(g, a, b, out);
      else conv::lanes::grad_filters(g, a, b, out);
      return;
    case Algorithm::Im2col:
      if (pass == Pass::Forward) conv::im2col::forward(g, a, b, out);
      else if (pass == Pass::GradInput) conv::im2col::grad_input(g, a, b, out);
      else conv::im2col::grad_filters(g, a, b, out);
      return;
  }
}

std::vector<float> values(int64_t n, uint64_t seed) {
  auto v = bench::hash_uniform(n, seed, -1, 1);
  return std::vector<float>(v.begin(), v.end());
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 11;
  bool quick = false;
  std::string only;  // --only NAME[,NAME...]: those algorithms
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
    if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    if (!std::strcmp(argv[i], "--quick")) quick = true;
  }
  const int threads = theon::detail::max_threads();
  const std::vector<Shape> shapes = {
      {"lenet_conv1", geometry(128, 1, 20, 28, 5, 0)},
      {"lenet_conv2", geometry(128, 20, 50, 12, 5, 0)},
      {"vgg_3x3", geometry(32, 64, 64, 56, 3, 1)},
      {"cifar_3x3", geometry(128, 32, 64, 16, 3, 1)},
  };
  const std::vector<Variant> variants = {
      {"im2col", conv::Algorithm::Im2col},
      {"onednn", conv::Algorithm::OneDnn},
      {"onednn_plain", conv::Algorithm::OneDnnPlain},
      {"onednn_winograd", conv::Algorithm::OneDnnWinograd},
      {"direct", conv::Algorithm::Direct},
      {"lanes", conv::Algorithm::Lanes},
  };
  // Each row also says whether auto (conv_choice.cpp) picks that algorithm: "*".
  std::printf("# threads %d, oneDNN %s, OpenBLAS core %s; GFLOP/s = 2 * MACs / median time\n",
              threads, conv::onednn::available() ? "built in" : "absent", bench::blas_core_name());
  std::printf("%-12s %-13s %-16s %3s %10s %9s\n", "shape", "pass", "algorithm", "thr",
              "ms", "GFLOP/s");
  for (const Shape& s : shapes) {
    const conv::Geometry& g = s.g;
    const int64_t n_in = g.batch * g.in_channels * g.image_size();
    const int64_t n_w = g.out_channels * g.channels_per_group() * g.kernel_size();
    const int64_t n_out = g.batch * g.out_channels * g.output_size();
    auto x = values(n_in, 1), w = values(n_w, 2), dy = values(n_out, 3);
    std::vector<float> out(std::max({n_in, n_w, n_out}));
    for (conv::Pass pass : {conv::Pass::Forward, conv::Pass::GradInput, conv::Pass::GradFilters}) {
      const float* a = pass == conv::Pass::GradInput ? dy.data() : x.data();
      const float* b = pass == conv::Pass::GradFilters ? dy.data() : w.data();
      for (const Variant& v : variants) {
        if (!conv::can_run(v.algorithm, g, true, pass)) continue;
        if (!only.empty() && ("," + only + ",").find(std::string(",") + v.name + ",") ==
                                  std::string::npos)
          continue;
        run_pass(v, pass, g, a, b, out.data());  // warm-up: primitives, scratch buffers
        // Calls per repeat: enough for ~30 ms (one call for the big shape).
        const auto start = std::chrono::steady_clock::now();
        run_pass(v, pass, g, a, b, out.data());
        const double once = bench::seconds_since(start);
        const int calls = std::max(1, static_cast<int>(0.03 / std::max(once, 1e-6)));
        const auto stats = bench::time_per_call(quick ? 3 : repeats, calls, 1e3, [&] {
          run_pass(v, pass, g, a, b, out.data());
        });
        const double gflops = 2 * g.macs() / (stats.median * 1e-3) * 1e-9;
        const bool chosen = conv::choose_algorithm(g, true, pass) == v.algorithm;
        std::printf("%-12s %-13s %-16s %3d %10.3f %9.1f %s\n", s.name,
                    std::string(conv::pass_name(pass)).c_str(), v.name, threads, stats.median,
                    gflops, chosen ? "*" : "");
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
