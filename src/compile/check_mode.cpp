#include "compile/check_mode.hpp"

#include <cmath>
#include <sstream>

#include "theon/print.hpp"

namespace theon::detail {

// A graph with its own interpreter, fed the function's inputs and shared values.
struct RewriteChecker::Evaluator {
  std::unique_ptr<FunctionGraph> fgraph;
  std::unique_ptr<VM> vm;
  std::vector<int> input_slots;
  std::vector<std::pair<std::shared_ptr<SharedStorage>, int>> shared_slots;
  std::vector<int> wanted;

  explicit Evaluator(std::unique_ptr<FunctionGraph> g) : fgraph(std::move(g)) {
    vm = std::make_unique<VM>(*fgraph);
    for (const Var& in : fgraph->inputs()) input_slots.push_back(vm->slot_of(in));
    for (const Var& v : fgraph->variables())
      if (v.is_shared()) shared_slots.push_back({v.shared_storage(), vm->slot_of(v)});
    for (const Var& out : fgraph->outputs()) wanted.push_back(vm->slot_of(out));
  }

  std::vector<NDArray> run(std::span<const NDArray> inputs) {
    for (size_t i = 0; i < input_slots.size(); ++i) vm->slot(input_slots[i]) = inputs[i];
    for (const auto& [storage, slot] : shared_slots) vm->slot(slot) = storage->value;
    std::vector<NDArray> values;
    try {
      vm->run(wanted);
      for (int s : wanted) values.push_back(vm->slot(s).copy());
    } catch (...) {
      vm->release_borrowed();
      throw;
    }
    vm->release_borrowed();
    return values;
  }
};

RewriteChecker::RewriteChecker(const FunctionGraph& optimized, std::unique_ptr<FunctionGraph> reference,
                               const std::vector<rewrite::Applied>& history)
    : history_(history) {
  Vars pair_outputs;
  for (const rewrite::Applied& a : history_) {
    pair_outputs.push_back(a.old_var);
    pair_outputs.push_back(a.new_var);
  }
  if (!pair_outputs.empty())
    pairs_ = std::make_unique<Evaluator>(std::make_unique<FunctionGraph>(optimized.inputs(), pair_outputs));
  reference_ = std::make_unique<Evaluator>(std::move(reference));
}

RewriteChecker::~RewriteChecker() = default;

namespace {

double tolerance_scale(DType d, double f64, double f32) { return d == DType::Float64 || d == DType::Complex128 ? f64 : f32; }

}  // namespace

bool values_agree(const NDArray& expected, const NDArray& got, std::string& why) {
  std::ostringstream out;
  if (expected.shape() != got.shape()) {
    out << "shape " << got.shape() << " instead of " << expected.shape();
    why = out.str();
    return false;
  }
  const DType d = expected.dtype();
  if (!is_inexact(d)) {
    NDArray a = expected.astype(DType::Int64), b = got.astype(DType::Int64);
    for (int64_t i = 0; i < a.size(); ++i)
      if (a.data<int64_t>()[i] != b.data<int64_t>()[i]) {
        out << "element " << i << " is " << b.data<int64_t>()[i] << " instead of " << a.data<int64_t>()[i];
        why = out.str();
        return false;
      }
    return true;
  }
  const double rtol = tolerance_scale(d, 1e-5, 1e-3), atol = tolerance_scale(d, 1e-8, 1e-5);
  NDArray a = expected.astype(DType::Complex128), b = got.astype(DType::Complex128);
  for (int64_t i = 0; i < a.size(); ++i) {
    const complex128 x = a.data<complex128>()[i], y = b.data<complex128>()[i];
    const bool x_finite = std::isfinite(x.real()) && std::isfinite(x.imag());
    if (!x_finite) continue;
    const bool y_finite = std::isfinite(y.real()) && std::isfinite(y.imag());
    if (y_finite && std::abs(x - y) <= atol + rtol * std::abs(x)) continue;
    out << "element " << i << " is " << y.real() << (y.imag() ? " + " + std::to_string(y.imag()) + "j" : "")
        << " instead of " << x.real() << (x.imag() ? " + " + std::to_string(x.imag()) + "j" : "")
        << " (tolerance " << rtol << " relative, " << atol << " absolute)";
    why = out.str();
    return false;
  }
  return true;
}

void RewriteChecker::check(std::span<const NDArray> inputs, std::span<const NDArray> outputs) {
  std::string why;
  if (pairs_) {
    std::vector<NDArray> values = pairs_->run(inputs);
    for (size_t i = 0; i < history_.size(); ++i) {
      if (values_agree(values[2 * i], values[2 * i + 1], why)) continue;
      const rewrite::Applied& a = history_[i];
      THEON_FAIL(RewriteCheckError) << "CHECK mode: rewrite " << a.rewrite << " changed a value: " << why
                                    << "\n  replaced  " << pp(a.old_var, 300) << "\n  by        " << pp(a.new_var, 300)
                                    << "\n  made at   " << format_loc(a.old_var.loc());
    }
  }
  std::vector<NDArray> reference = reference_->run(inputs);
  for (size_t i = 0; i < reference.size() && i < outputs.size(); ++i)
    THEON_CHECK_USER(values_agree(reference[i], outputs[i], why), RewriteCheckError)
        << "CHECK mode: output " << i << " of the optimized function differs from the unoptimized one: "
        << why;
}

}  // namespace theon::detail
