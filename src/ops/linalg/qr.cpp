// QR (geqrf, then orgqr to form q), in numpy.linalg.qr's modes.
#include <algorithm>

#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

enum class QRMode { Reduced, Complete, R };

class QR final : public Op {
 public:
  explicit QR(QRMode mode) : mode_(mode) {}
  std::string name() const override { return "qr"; }
  std::string props() const override {
    return mode_ == QRMode::Reduced    ? "mode=reduced"
           : mode_ == QRMode::Complete ? "mode=complete"
                                       : "mode=r";
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const TensorType matrix(inputs[0].dtype(), {false, false});
    if (mode_ == QRMode::R) return {matrix};
    return {matrix, matrix};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const int m = lapack::to_int(x.shape(0), "qr"), n = lapack::to_int(x.shape(1), "qr");
    const int k = std::min(m, n);
    const int side = mode_ == QRMode::Complete ? m : k;  // q's columns, r's rows
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> a = lapack::to_fortran<T>(x);
      std::vector<T> tau(static_cast<size_t>(std::max(k, 1)));
      std::vector<T> work;
      // One workspace for both calls, sized by their queries.
      auto reserve = [&](auto&& query_call) {
        T query{};
        query_call(&query);
        const size_t size = static_cast<size_t>(lapack::work_size(query, "qr"));
        if (work.size() < size) work.resize(size);
      };
      int info = 0;
      if (k > 0) {
        reserve([&](T* q) { lapack::geqrf(m, n, a.data(), m, tau.data(), q, -1, &info); });
        lapack::geqrf(m, n, a.data(), m, tau.data(), work.data(), static_cast<int>(work.size()),
                      &info);
        THEON_ASSERT(info == 0) << "qr: LAPACK argument " << -info << " rejected";
      }
      // r: the upper triangle of the factored matrix's first `side` rows.
      NDArray& r = reuse_or_allocate(*out[mode_ == QRMode::R ? 0 : 1], x.dtype(), {side, n});
      T* rp = r.data<T>();
      for (int i = 0; i < side; ++i)
        for (int j = 0; j < n; ++j)
          rp[static_cast<size_t>(i) * n + j] =
              j >= i && i < k ? a[static_cast<size_t>(j) * m + i] : T{};
      if (mode_ == QRMode::R) return;
      NDArray& q = reuse_or_allocate(*out[0], x.dtype(), {m, side});
      if (m == 0 || side == 0) return;
      // orgqr builds q in place from the reflectors stored below r's diagonal.
      std::vector<T> qb(static_cast<size_t>(m) * side, T{});
      std::copy_n(a.begin(), static_cast<size_t>(m) * std::min(n, side), qb.begin());
      reserve([&](T* q) { lapack::orgqr(m, side, k, qb.data(), m, tau.data(), q, -1, &info); });
      lapack::orgqr(m, side, k, qb.data(), m, tau.data(), work.data(),
                    static_cast<int>(work.size()), &info);
      THEON_ASSERT(info == 0) << "qr: LAPACK argument " << -info << " rejected";
      lapack::from_fortran(qb.data(), m, q);
    });
  }

 private:
  QRMode mode_;
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::nlinalg {

std::vector<Var> qr(VarArg x, std::string_view mode) {
  using detail::QRMode;
  QRMode m;
  if (mode == "reduced" || mode == "full") {  // "full" is NumPy's old name of "reduced"
    m = QRMode::Reduced;
  } else if (mode == "complete") {
    m = QRMode::Complete;
  } else if (mode == "r") {
    m = QRMode::R;
  } else {
    THEON_FAIL(ValueError) << "qr: mode must be 'reduced', 'complete' or 'r', got '" << mode
                           << "' ('raw' is not supported)";
  }
  const Var a = detail::float_matrix("qr", x);
  return make_apply(std::make_shared<const detail::QR>(m), {a}, x.loc);
}

}  // namespace theon::tensor::nlinalg
