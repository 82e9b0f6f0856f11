// Which GEMM for W5 (issue 16, item 2): the eight float32 products of one W5 training
// step (batch 256, MLP 784-512-512-10; the shapes of limits.cpp's `--part gemm`) timed
// with each GEMM library on this machine, on one and two threads, in one process:
//  - OpenBLAS  cblas_sgemm, the core it picks itself (run with OPENBLAS_CORETYPE and
//              OPENBLAS_L2_SIZE unset; the core is printed);
//  - BLIS      bli_sgemm, loaded with dlopen(RTLD_LOCAL) because libblis exports
//              cblas_sgemm/sgemm_ too and must not replace OpenBLAS's;
//  - oneDNN    a matmul primitive per shape (and per thread count), created once and
//              executed per call; also with the step's epilogues fused as post-ops;
//  - libxsmm   its JIT kernels dispatched for the whole product (libxsmm has no packing
//              or cache blocking: it is made for small matrices).
// Every step is also timed with its epilogues (bias + ReLU after the forward products,
// the ReLU mask after dH, W -= lr dW after dW) as separate loops, so the fused variant
// shows what fusing saves. Rounds alternate the variants so load hits all alike; the
// figures are medians over rounds. Every result is checked against OpenBLAS.
//
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE theon_bench_gemm_libraries [--rounds N]
//       [--calls N] [--blis-arch skx] [--only onednn.2t,openblas.2t]
#include <cblas.h>
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_util.hpp"

#ifdef THEON_HAVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif
#ifdef THEON_HAVE_XSMM
#include <libxsmm.h>
#endif

extern "C" char* openblas_get_corename();
extern "C" void openblas_set_num_threads(int);

namespace {

// What follows each product in the training step.
enum class Epilogue { BiasRelu, Bias, Update, Mask };

struct Product {
  const char* name;
  bool trans_a, trans_b;
  int m, n, k;
  Epilogue epilogue;
};

// C(m x n) = op(A) op(B), row-major, as the W5 step computes them.
const Product kW5[] = {
    {"X.W1", false, false, 256, 512, 784, Epilogue::BiasRelu},
    {"H1.W2", false, false, 256, 512, 512, Epilogue::BiasRelu},
    {"H2.W3", false, false, 256, 10, 512, Epilogue::Bias},
    {"dW3=H2'G3", true, false, 512, 10, 256, Epilogue::Update},
    {"dH2=G3W3'", false, true, 256, 512, 10, Epilogue::Mask},
    {"dW2=H1'G2", true, false, 512, 512, 256, Epilogue::Update},
    {"dH1=G2W2'", false, true, 256, 512, 512, Epilogue::Mask},
    {"dW1=X'G1", true, false, 784, 512, 256, Epilogue::Update},
};
constexpr int kProducts = static_cast<int>(std::size(kW5));
constexpr float kLearningRate = 0.01f;

int lda(const Product& p) { return p.trans_a ? p.m : p.k; }
int ldb(const Product& p) { return p.trans_b ? p.k : p.n; }
double gflop(const Product& p) { return 2.0 * p.m * p.n * p.k / 1e9; }

std::vector<float> random_floats(size_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = lo + (hi - lo) * static_cast<float>(bench::hash_uniform_at(i, seed));
  return v;
}

// The operands of one product, and what its epilogue reads: a bias row, a 0/1 ReLU mask
// (the forward pass would write it), the weights an update writes.
struct Operands {
  std::vector<float> a, b, bias, mask, weights, weights0;
};

std::vector<Operands> make_operands() {
  std::vector<Operands> ops(kProducts);
  for (int i = 0; i < kProducts; ++i) {
    const auto& p = kW5[i];
    auto& o = ops[i];
    size_t mn = static_cast<size_t>(p.m) * p.n;
    o.a = random_floats(static_cast<size_t>(p.m) * p.k, 10 + i, -1, 1);
    o.b = random_floats(static_cast<size_t>(p.k) * p.n, 20 + i, -1, 1);
    o.bias = random_floats(p.n, 30 + i, -0.5f, 0.5f);
    o.mask = random_floats(mn, 40 + i, 0, 1);
    for (float& x : o.mask) x = x < 0.5f ? 0.0f : 1.0f;
    o.weights0 = random_floats(mn, 50 + i, -0.1f, 0.1f);
    o.weights = o.weights0;
  }
  return ops;
}

// out = epilogue(c) as separate loops over memory (what an unfused step does).
void epilogue_loops(const Product& p, Operands& o, float* c, int threads) {
  const int m = p.m, n = p.n;
  switch (p.epilogue) {
    case Epilogue::BiasRelu:
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) c[r * n + j] = std::max(c[r * n + j] + o.bias[j], 0.0f);
      break;
    case Epilogue::Bias:
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) c[r * n + j] += o.bias[j];
      break;
    case Epilogue::Mask:
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) c[r * n + j] *= o.mask[r * n + j];
      break;
    case Epilogue::Update: {
      float* w = o.weights.data();
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) w[r * n + j] -= kLearningRate * c[r * n + j];
      break;
    }
  }
}

// ---- the libraries -----------------------------------------------------------------

void openblas_sgemm(const Product& p, const Operands& o, float alpha, float beta, float* c) {
  cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans,
              p.trans_b ? CblasTrans : CblasNoTrans, p.m, p.n, p.k, alpha, o.a.data(), lda(p),
              o.b.data(), ldb(p), beta, c, p.n);
}

// BLIS through its typed API with general strides (op(A) given by strides, no flags).
struct Blis {
  using Gemm = void (*)(int, int, int64_t, int64_t, int64_t, const float*, const float*, int64_t,
                        int64_t, const float*, int64_t, int64_t, const float*, float*, int64_t,
                        int64_t);
  Gemm gemm = nullptr;
  void (*set_threads)(int64_t) = nullptr;
  std::string arch = "not loaded";

  // `arch_name` (e.g. "skx", "zen3"): BLIS's configuration to use instead of its own
  // pick, through BLIS_ARCH_TYPE (read at BLIS's first call; it takes the enum's number).
  bool load(const std::string& arch_name) {
    void* lib = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return false;
    auto name = reinterpret_cast<const char* (*)(int)>(dlsym(lib, "bli_arch_string"));
    if (!arch_name.empty() && name) {
      const int kArchs = 28;  // BLIS_NUM_ARCHS in BLIS 0.9
      for (int id = 0; id < kArchs; ++id)
        if (const char* n = name(id); n && arch_name == n) setenv("BLIS_ARCH_TYPE", std::to_string(id).c_str(), 1);
    }
    gemm = reinterpret_cast<Gemm>(dlsym(lib, "bli_sgemm"));
    set_threads = reinterpret_cast<void (*)(int64_t)>(dlsym(lib, "bli_thread_set_num_threads"));
    auto query = reinterpret_cast<int (*)()>(dlsym(lib, "bli_arch_query_id"));
    auto init = reinterpret_cast<void (*)()>(dlsym(lib, "bli_init"));
    if (!gemm || !set_threads || !init) return false;
    init();  // before any query: BLIS registers its configurations here
    if (query && name) arch = name(query());
    return true;
  }
  void sgemm(const Product& p, const Operands& o, float alpha, float beta, float* c) const {
    int64_t rs_a = p.trans_a ? 1 : p.k, cs_a = p.trans_a ? p.m : 1;
    int64_t rs_b = p.trans_b ? 1 : p.n, cs_b = p.trans_b ? p.k : 1;
    gemm(0, 0, p.m, p.n, p.k, &alpha, o.a.data(), rs_a, cs_a, o.b.data(), rs_b, cs_b, &beta, c,
         p.n, 1);
  }
};

#ifdef THEON_HAVE_DNNL
// One matmul primitive per product: plain, or with the product's epilogue as post-ops.
struct DnnlProducts {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<dnnl::matmul> prims;
  std::vector<std::unordered_map<int, dnnl::memory>> args;  // per product, what it reads
  std::string impl;

  static dnnl::memory::desc desc(int rows, int cols, bool transposed) {
    using dt = dnnl::memory::data_type;
    return dnnl::memory::desc({rows, cols}, dt::f32,
                              transposed ? dnnl::memory::dims{1, rows}
                                         : dnnl::memory::dims{cols, 1});
  }

  // `out[i]` is where product i writes (the weights themselves when fused updates).
  DnnlProducts(std::vector<Operands>& ops, std::vector<std::vector<float>>& out, bool fused) {
    for (int i = 0; i < kProducts; ++i) {
      const auto& p = kW5[i];
      auto& o = ops[i];
      auto a_md = desc(p.m, p.k, p.trans_a), b_md = desc(p.k, p.n, p.trans_b);
      auto c_md = desc(p.m, p.n, false), bias_md = desc(1, p.n, false);
      dnnl::primitive_attr attr;
      dnnl::post_ops post;
      bool has_bias = fused && (p.epilogue == Epilogue::BiasRelu || p.epilogue == Epilogue::Bias);
      float* c = out[i].data();
      if (fused && p.epilogue == Epilogue::BiasRelu)
        post.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      if (fused && p.epilogue == Epilogue::Mask)
        post.append_binary(dnnl::algorithm::binary_mul, c_md);
      if (fused && p.epilogue == Epilogue::Update) {
        attr.set_output_scales(0, {-kLearningRate});  // dst = -lr * (A B) + 1 * dst
        post.append_sum(1.0f);
        c = o.weights.data();
      }
      attr.set_post_ops(post);
      auto d = has_bias ? dnnl::matmul::desc(a_md, b_md, bias_md, c_md)
                        : dnnl::matmul::desc(a_md, b_md, c_md);
      dnnl::matmul::primitive_desc pd(d, attr, engine);
      if (i == 0) impl = pd.impl_info_str();
      prims.emplace_back(pd);
      std::unordered_map<int, dnnl::memory> a{{DNNL_ARG_SRC, {a_md, engine, o.a.data()}},
                                              {DNNL_ARG_WEIGHTS, {b_md, engine, o.b.data()}},
                                              {DNNL_ARG_DST, {c_md, engine, c}}};
      if (has_bias) a[DNNL_ARG_BIAS] = dnnl::memory(bias_md, engine, o.bias.data());
      if (fused && p.epilogue == Epilogue::Mask)
        a[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] =
            dnnl::memory(c_md, engine, o.mask.data());
      args.push_back(std::move(a));
    }
  }
  void run(int i) {
    prims[i].execute(stream, args[i]);
    stream.wait();
  }
};
#endif

#ifdef THEON_HAVE_XSMM
// libxsmm's JIT kernels are column-major: row-major C = op(A) op(B) is column-major
// C' = op(B)' op(A)', so the kernel's first operand is B. On two threads each thread
// runs a kernel for half of C's rows. A transpose libxsmm's JIT refuses is made by a
// copy inside the timed call.
struct XsmmProducts {
  struct Kernel {
    libxsmm_smmfunction half[2] = {nullptr, nullptr};  // by threads: [0] whole, [1] half
    bool copy = false;  // both operands copied untransposed first
  };
  std::vector<Kernel> kernels;
  std::vector<std::vector<float>> a_copy, b_copy;
  std::string note;

  static libxsmm_smmfunction dispatch(const Product& p, int rows, bool trans_a, bool trans_b) {
    libxsmm_blasint m = p.n, n = rows, k = p.k;
    libxsmm_blasint ld_first = trans_b ? p.k : p.n, ld_second = trans_a ? p.m : p.k, ldc = p.n;
    float alpha = 1, beta = 0;
    int flags = (trans_b ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) |
                (trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
    int prefetch = LIBXSMM_PREFETCH_NONE;
    return libxsmm_smmdispatch(m, n, k, &ld_first, &ld_second, &ldc, &alpha, &beta, &flags,
                               &prefetch);
  }

  bool init(const std::vector<Operands>& ops) {
    libxsmm_init();
    kernels.resize(kProducts);
    a_copy.resize(kProducts);
    b_copy.resize(kProducts);
    for (int i = 0; i < kProducts; ++i) {
      const auto& p = kW5[i];
      auto& kern = kernels[i];
      for (int half = 0; half < 2; ++half) {
        int rows = half ? p.m / 2 : p.m;
        kern.half[half] = kern.copy ? nullptr : dispatch(p, rows, p.trans_a, p.trans_b);
        if (!kern.half[half] && (p.trans_a || p.trans_b)) {
          kern.copy = true;
          kern.half[0] = dispatch(p, p.m, false, false);
          kern.half[half] = dispatch(p, rows, false, false);
        }
        if (!kern.half[half]) {
          note = std::string("no JIT kernel for ") + p.name;
          return false;
        }
      }
      if (kern.copy) {
        a_copy[i].resize(ops[i].a.size());
        b_copy[i].resize(ops[i].b.size());
        note += std::string(note.empty() ? "" : ", ") + p.name + " via a transposed copy";
      }
    }
    return true;
  }

  void run(int i, const Operands& o, float* c, int threads) {
    const auto& p = kW5[i];
    const float* a = o.a.data();
    const float* b = o.b.data();
    if (kernels[i].copy && p.trans_a) {  // op(A) = A' into a row-major m x k copy
      float* t = a_copy[i].data();
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int r = 0; r < p.m; ++r)
        for (int q = 0; q < p.k; ++q) t[r * p.k + q] = a[q * p.m + r];
      a = t;
    }
    if (kernels[i].copy && p.trans_b) {  // op(B) = B' into a row-major k x n copy
      float* t = b_copy[i].data();
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int q = 0; q < p.k; ++q)
        for (int j = 0; j < p.n; ++j) t[q * p.n + j] = b[j * p.k + q];
      b = t;
    }
    bool trans_a = p.trans_a && !kernels[i].copy;
    if (threads == 1) return kernels[i].half[0](b, a, c);
    const int h = p.m / 2;
    // Rows [h, m) of op(A): row offset h (no transpose) or column offset h (transposed).
    const float* a_hi = trans_a ? a + h : a + static_cast<size_t>(h) * p.k;
#pragma omp parallel num_threads(2)
    {
      if (omp_get_thread_num() == 0) kernels[i].half[1](b, a, c);
      else kernels[i].half[1](b, a_hi, c + static_cast<size_t>(h) * p.n);
    }
  }
};
#endif

// ---- timing ------------------------------------------------------------------------

// One way to compute the step: `product(i)` computes product i (with or without its
// epilogue); `output(i)` is what the check compares.
struct Variant {
  std::string name;
  int threads;
  bool with_epilogue;
  std::function<void(int)> product;
  std::function<const float*(int)> output;
  std::vector<double> step_ms, step_cpu_ms;
  std::vector<std::vector<double>> product_ms = std::vector<std::vector<double>>(kProducts);
  double max_rel_error = 0;
};

void set_threads(int threads, const Blis& blis) {
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  if (blis.set_threads) blis.set_threads(threads);
}

// The machine's load (1, 5, 15 minutes) from /proc/loadavg: the state the figures come from.
std::string load_average() {
  char buf[128] = "unknown\n";
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (!std::fgets(buf, sizeof buf, f)) std::strcpy(buf, "unknown\n");
    std::fclose(f);
  }
  return buf;
}

double median(std::vector<double> v) { return bench::summarize(std::move(v)).median; }

}  // namespace

int main(int argc, char** argv) {
  int rounds = 11, calls = 5;
  std::string blis_arch, only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--blis-arch")) blis_arch = argv[i + 1];
    else if (!std::strcmp(argv[i], "--only")) only = "," + std::string(argv[i + 1]) + ",";
    else if (!std::strcmp(argv[i], "--calls")) calls = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--calls N] [--blis-arch skx|zen3|...] [--only v1,v2]\n", argv[0]);
      return 2;
    }
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  for (const char* var : {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"})
    if (std::getenv(var))
      std::printf("warning: %s=%s is set: OpenBLAS did not pick its own core\n", var,
                  std::getenv(var));

  std::printf("load average at the start: %s", load_average().c_str());
  auto ops = make_operands();
  auto buffers = [&] {
    std::vector<std::vector<float>> out(kProducts);
    for (int i = 0; i < kProducts; ++i) out[i].assign(static_cast<size_t>(kW5[i].m) * kW5[i].n, 0);
    return out;
  };
  Blis blis;
  bool have_blis = blis.load(blis_arch);
  std::printf("OpenBLAS core: %s\n", openblas_get_corename());
  std::printf("BLIS: %s\n", have_blis ? ("configuration " + blis.arch +
                                         (blis_arch.empty() ? " (its own pick)" : " (asked for)"))
                                            .c_str()
                                      : "not found");

  std::vector<Variant> variants;
  std::deque<std::vector<std::vector<float>>> keep;  // every variant's output buffers
  auto add = [&](std::string name, int threads, bool with_epilogue,
                 std::function<void(int, float*)> gemm, bool writes_weights_itself) {
    keep.push_back(buffers());
    auto* out = &keep.back();
    Variant v{name, threads, with_epilogue, nullptr, nullptr};
    v.product = [=, &ops](int i) {
      float* c = (*out)[i].data();
      gemm(i, c);
      if (with_epilogue && !writes_weights_itself) epilogue_loops(kW5[i], ops[i], c, threads);
    };
    v.output = [=, &ops](int i) -> const float* {
      if (with_epilogue && kW5[i].epilogue == Epilogue::Update) return ops[i].weights.data();
      return (*out)[i].data();
    };
    variants.push_back(std::move(v));
  };

#ifdef THEON_HAVE_DNNL
  std::vector<std::unique_ptr<DnnlProducts>> dnnl_sets;
  std::printf("oneDNN %d.%d\n", dnnl::version()->major, dnnl::version()->minor);
#endif
#ifdef THEON_HAVE_XSMM
  XsmmProducts xsmm;
  bool have_xsmm = xsmm.init(ops);
  std::printf("libxsmm: target %s; %s\n", libxsmm_get_target_arch(),
              have_xsmm ? (xsmm.note.empty() ? "all JIT" : xsmm.note.c_str())
                        : ("not used: " + xsmm.note).c_str());
#endif

  for (int t : {1, 2}) {
    const std::string tag = t == 1 ? ".1t" : ".2t";
    set_threads(t, blis);
    auto ob = [&](int i, float* c) { openblas_sgemm(kW5[i], ops[i], 1, 0, c); };
    add("openblas" + tag, t, false, ob, false);
    add("openblas+loops" + tag, t, true, ob, false);
    // The update through sgemm's own alpha/beta: W = -lr (A B) + W, no extra pass.
    add("openblas+ab" + tag, t, true, [&ops, t](int i, float* c) {
      const auto& p = kW5[i];
      if (p.epilogue == Epilogue::Update)
        return openblas_sgemm(p, ops[i], -kLearningRate, 1, ops[i].weights.data());
      openblas_sgemm(p, ops[i], 1, 0, c);
      epilogue_loops(p, ops[i], c, t);
    }, true);
    if (have_blis) {
      auto bl = [&](int i, float* c) { blis.sgemm(kW5[i], ops[i], 1, 0, c); };
      add("blis" + tag, t, false, bl, false);
      add("blis+loops" + tag, t, true, bl, false);
    }
#ifdef THEON_HAVE_DNNL
    for (bool fused : {false, true}) {
      keep.push_back(buffers());
      dnnl_sets.push_back(std::make_unique<DnnlProducts>(ops, keep.back(), fused));
      auto* set = dnnl_sets.back().get();
      if (t == 1 && !fused) std::printf("oneDNN matmul implementation: %s\n", set->impl.c_str());
      auto dn = [set](int i, float*) { set->run(i); };
      // The primitive writes into its own buffers (keep.back()), not the variant's.
      auto* out = &keep.back();
      if (!fused) {
        add("onednn" + tag, t, false, dn, false);
        variants.back().output = [out](int i) -> const float* { return (*out)[i].data(); };
        add("onednn+loops" + tag, t, true, dn, true);
        // The epilogue runs on the primitive's own output.
        variants.back().product = [set, out, &ops, t](int i) {
          set->run(i);
          epilogue_loops(kW5[i], ops[i], (*out)[i].data(), t);
        };
        variants.back().output = [out, &ops](int i) -> const float* {
          if (kW5[i].epilogue == Epilogue::Update) return ops[i].weights.data();
          return (*out)[i].data();
        };
      } else {
        add("onednn+fused" + tag, t, true, dn, true);
        variants.back().output = [out, &ops](int i) -> const float* {
          if (kW5[i].epilogue == Epilogue::Update) return ops[i].weights.data();
          return (*out)[i].data();
        };
      }
    }
#endif
#ifdef THEON_HAVE_XSMM
    if (have_xsmm)
      add("libxsmm" + tag, t, false,
          [&xsmm, &ops, t](int i, float* c) { xsmm.run(i, ops[i], c, t); }, false);
#endif
  }

  // --only: the named variants alone (no other library's threads alive in the process).
  if (!only.empty())
    std::erase_if(variants, [&](const Variant& v) {
      return only.find("," + v.name + ",") == std::string::npos;
    });

  // The check: OpenBLAS on one thread, plain and with the epilogue in float loops.
  set_threads(1, blis);
  auto plain_ref = buffers(), epi_ref = buffers();
  for (int i = 0; i < kProducts; ++i) {
    openblas_sgemm(kW5[i], ops[i], 1, 0, plain_ref[i].data());
    epi_ref[i] = plain_ref[i];
    ops[i].weights = ops[i].weights0;
    epilogue_loops(kW5[i], ops[i], epi_ref[i].data(), 1);
    if (kW5[i].epilogue == Epilogue::Update) epi_ref[i] = ops[i].weights;
  }
  for (auto& v : variants) {
    set_threads(v.threads, blis);
    for (int i = 0; i < kProducts; ++i) {
      ops[i].weights = ops[i].weights0;
      v.product(i);
      const auto& ref = v.with_epilogue ? epi_ref[i] : plain_ref[i];
      const float* got = v.output(i);
      double scale = 0, err = 0;
      for (size_t j = 0; j < ref.size(); ++j) {
        scale = std::max(scale, std::abs(static_cast<double>(ref[j])));
        err = std::max(err, std::abs(static_cast<double>(got[j]) - ref[j]));
      }
      v.max_rel_error = std::max(v.max_rel_error, err / scale);
    }
  }

  // Rounds: every variant in turn (the starting one rotates), each timed as whole steps
  // and product by product.
  for (int r = 0; r < rounds; ++r) {
    for (size_t s = 0; s < variants.size(); ++s) {
      auto& v = variants[(s + r) % variants.size()];
      set_threads(v.threads, blis);
      auto step = [&] { for (int i = 0; i < kProducts; ++i) v.product(i); };
      step();  // warm-up: thread pools awake, caches filled
      auto st = bench::time_per_call(1, calls, 1e3, step);
      v.step_ms.push_back(st.median);
      v.step_cpu_ms.push_back(st.cpu_median);
      for (int i = 0; i < kProducts; ++i)
        v.product_ms[i].push_back(bench::time_per_call(1, calls, 1e3, [&] { v.product(i); }).median);
    }
  }

  std::printf("load average at the end: %s", load_average().c_str());
  double step_gflop = 0;
  for (const auto& p : kW5) step_gflop += gflop(p);
  std::printf("\nW5's eight products: %.3f GFLOP per step; medians of %d rounds x %d calls\n",
              step_gflop, rounds, calls);
  std::printf("step: median wall time, its GFLOP/s, best round, median process CPU time;\n"
              "per product: GFLOP/s of its best round (with its epilogue where the variant has "
              "one)\n\n");
  std::printf("| variant | step ms | step GFLOP/s | best ms | CPU ms |");
  for (const auto& p : kW5) std::printf(" %s %dx%dx%d |", p.name, p.m, p.n, p.k);
  std::printf(" max rel. error |\n|---|---|---|---|---|");
  for (int i = 0; i < kProducts; ++i) std::printf("---|");
  std::printf("---|\n");
  for (const auto& v : variants) {
    double ms = median(v.step_ms);
    std::printf("| %s | %.2f | %.0f | %.2f | %.2f |", v.name.c_str(), ms, step_gflop / ms * 1e3,
                bench::summarize(v.step_ms).min, median(v.step_cpu_ms));
    for (int i = 0; i < kProducts; ++i)
      std::printf(" %.0f |", gflop(kW5[i]) / bench::summarize(v.product_ms[i]).min * 1e3);
    std::printf(" %.1e |\n", v.max_rel_error);
  }
  for (const auto& v : variants) {
    bench::Stats s = bench::summarize(v.step_ms);
    bench::emit_value("gemm_libraries.W5step." + v.name, "ms", s, "the 8 products of one W5 step");
  }
}
