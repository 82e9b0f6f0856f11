// The OpenBLAS sgemm calls of one W10 training step (batch 20, 784-500-10), with the
// step's shapes and transposes, on fixed operands: "the sum of the epoch's GEMM time"
// that issue 16 compares the epoch with is 2 500 x step(). Used by w10_gemm.cpp (the
// limits phase) and w10_epoch.cpp (timed between the epochs, in the same process).
#pragma once

#include <cblas.h>

#include <iterator>
#include <vector>

#include "bench_util.hpp"

namespace bench {

class W10Gemm {
 public:
  // C(m x n) = op(A) op(B), row-major, beta 0.
  struct Product {
    const char* name;
    bool trans_a, trans_b;
    int m, n, k;
  };
  // Forward x.W1 and h.W2; backward dW2 = h^T d2, dh = d2 W2^T, dW1 = x^T dz1 (no dx).
  static constexpr Product kStep[] = {{"x.W1", false, false, 20, 500, 784},
                                      {"h.W2", false, false, 20, 10, 500},
                                      {"h^T.d2", true, false, 500, 10, 20},
                                      {"d2.W2^T", false, true, 20, 500, 10},
                                      {"x^T.dz1", true, false, 784, 500, 20}};
  static constexpr size_t kCount = std::size(kStep);

  W10Gemm() : a_(kCount), b_(kCount), c_(kCount) {
    for (size_t i = 0; i < kCount; ++i) {
      const auto& p = kStep[i];
      flops_ += 2.0 * p.m * p.n * p.k;
      a_[i].resize(static_cast<size_t>(p.m) * p.k);
      b_[i].resize(static_cast<size_t>(p.k) * p.n);
      c_[i].assign(static_cast<size_t>(p.m) * p.n, 0.0f);
      for (size_t j = 0; j < a_[i].size(); ++j) a_[i][j] = static_cast<float>(hash_uniform_at(j, 50 + i));
      for (size_t j = 0; j < b_[i].size(); ++j) b_[i][j] = static_cast<float>(hash_uniform_at(j, 60 + i) - 0.5);
    }
  }

  void product(size_t i) {
    const auto& p = kStep[i];
    cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans,
                p.trans_b ? CblasTrans : CblasNoTrans, p.m, p.n, p.k, 1.0f, a_[i].data(),
                p.trans_a ? p.m : p.k, b_[i].data(), p.trans_b ? p.k : p.n, 0.0f, c_[i].data(), p.n);
  }
  void step() {
    for (size_t i = 0; i < kCount; ++i) product(i);
  }
  double flops() const { return flops_; }

 private:
  std::vector<std::vector<float>> a_, b_, c_;
  double flops_ = 0;
};

}  // namespace bench
