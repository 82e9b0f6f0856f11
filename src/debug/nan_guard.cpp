// The NaN guard: a NodeObserver that scans each computed array for NaN, Inf and huge
// values and raises at the first node that makes one (Theano's NanGuardMode).
#include <cmath>
#include <iostream>
#include <sstream>

#include "ops/elemwise.hpp"
#include "ops/fused.hpp"
#include "theon/debug.hpp"
#include "theon/print.hpp"
#include "theon/shape.hpp"

namespace theon {
namespace {

// One pass, no branches in the loop: the compiler vectorizes it. Comparisons with NaN
// are false, so `x != x` is the NaN test and NaN never counts as big.
template <class T>
NonFinite scan_real(const T* p, int64_t n, double big_threshold) {
  const T inf = std::numeric_limits<T>::infinity();
  const T big = static_cast<T>(big_threshold);
  bool nan = false, is_inf = false, is_big = false;
  for (int64_t i = 0; i < n; ++i) {
    const T a = std::abs(p[i]);
    nan |= a != a;
    is_inf |= a == inf;
    is_big |= a > big;
  }
  return {nan, is_inf, is_big};
}

std::string dtype_and_shape(const NDArray& a) {
  return std::string(dtype_name(a.dtype())) + " shape " + shape_str(a.shape());
}

std::string what_is_wrong(const NonFinite& f) {
  std::string s;
  auto add = [&](bool on, const char* word) {
    if (on) s += (s.empty() ? "" : ", ") + std::string(word);
  };
  add(f.nan, "NaN");
  add(f.inf, "Inf");
  add(f.big && !f.inf, "big values");
  return s.empty() ? "finite" : "has " + s;
}

// A fused loop's node stands for several of the user's operations: name each with its
// line, so that the message still points at the user's log(x).
std::string fused_parts(const ApplyNode& node) {
  const auto* fused = dynamic_cast<const detail::FusedElemwise*>(&node.op());
  if (fused == nullptr) return {};
  std::string s;
  const auto& instrs = fused->program().instrs;
  for (size_t i = 0; i < instrs.size() && i < fused->instr_locs().size(); ++i) {
    const std::string where = format_loc(fused->instr_locs()[i]);
    s += "\n  fused    " + std::string(detail::scalar_op_info(instrs[i].op).name) +
         (where.empty() ? "" : "  made at " + where);
  }
  return s;
}

class NanGuard final : public NodeObserver {
 public:
  explicit NanGuard(NanGuardOptions options) : options_(std::move(options)) {
    THEON_CHECK_USER(options_.action == "raise" || options_.action == "warn", ValueError)
        << "nan_guard: action must be 'raise' or 'warn', got '" << options_.action << "'";
  }

  // The graph's own inputs and shared variables, before the first node that reads them
  // (Theano checks the function's inputs too). Constants were checked by whoever made them.
  void before_node(const ApplyNode& node, std::span<const NDArray* const> in) override {
    for (size_t i = 0; i < in.size(); ++i) {
      const Var& v = node.inputs[i];
      if (v.owner() != nullptr || v.is_constant() || in[i] == nullptr || !in[i]->defined()) continue;
      const NonFinite f = scan_non_finite(*in[i], options_.big_threshold);
      if (!is_error(f)) continue;
      report("NanGuardMode: " + problem(f) + " in an input of the graph:\n  input    " + describe(v) +
             "  " + dtype_and_shape(*in[i]) + "\n  read by  " + pp(node.output(0), 200) + made_at(node.loc));
    }
  }

  void after_node(const ApplyNode& node, std::span<const NDArray* const> in,
                  std::span<NDArray* const> out) override {
    for (size_t k = 0; k < out.size(); ++k) {
      if (out[k] == nullptr || !out[k]->defined()) continue;
      const NonFinite f = scan_non_finite(*out[k], options_.big_threshold);
      if (!is_error(f)) continue;
      std::ostringstream msg;
      msg << "NanGuardMode: " << problem(f) << " in output " << k << " of " << node.op().name()
          << " (" << dtype_and_shape(*out[k]) << ")\n  node     " << pp(node.output(static_cast<int>(k)), 200)
          << made_at(node.loc) << fused_parts(node);
      for (size_t i = 0; i < in.size(); ++i) {
        msg << "\n  input " << i << "  " << describe(node.inputs[i]);
        if (in[i] != nullptr && in[i]->defined())
          msg << "  " << dtype_and_shape(*in[i]) << "  "
              << what_is_wrong(scan_non_finite(*in[i], options_.big_threshold));
      }
      report(msg.str());
    }
  }

 private:
  bool is_error(const NonFinite& f) const {
    return (options_.nan_is_error && f.nan) || (options_.inf_is_error && f.inf) ||
           (options_.big_is_error && f.big);
  }
  // Only what the options look for: with inf_is_error off, an Inf is reported as big.
  std::string problem(const NonFinite& f) const {
    if (options_.nan_is_error && f.nan) return "NaN";
    if (options_.inf_is_error && f.inf) return "Inf";
    std::ostringstream s;
    s << "big value (|x| > " << options_.big_threshold << ")";
    return s.str();
  }
  static std::string made_at(const Loc& loc) {
    const std::string where = format_loc(loc);
    return where.empty() ? "" : "  made at " + where;
  }
  void report(const std::string& message) const {
    if (options_.action == "warn") {
      std::cerr << message << '\n';
      return;
    }
    throw NanGuardError(message);
  }

  NanGuardOptions options_;
};

}  // namespace

NonFinite scan_non_finite(const NDArray& a, double big_threshold) {
  if (!a.defined() || a.size() == 0 || !is_inexact(a.dtype())) return {};
  const NDArray c = a.contiguous();
  switch (c.dtype()) {
    case DType::Float32:
      return scan_real(c.data<float>(), c.size(), big_threshold);
    case DType::Float64:
      return scan_real(c.data<double>(), c.size(), big_threshold);
    // Complex: each of the real and imaginary parts (|re| or |im| above the threshold).
    case DType::Complex64:
      return scan_real(reinterpret_cast<const float*>(c.data<complex64>()), 2 * c.size(), big_threshold);
    case DType::Complex128:
      return scan_real(reinterpret_cast<const double*>(c.data<complex128>()), 2 * c.size(), big_threshold);
    default:
      return {};
  }
}

std::shared_ptr<NodeObserver> nan_guard(const NanGuardOptions& options) {
  return std::make_shared<NanGuard>(options);
}

}  // namespace theon
