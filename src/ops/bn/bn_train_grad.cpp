// The gradient of the training forward (for its `out` output): dx, dgamma and dbeta in
// two passes, one that sums dy and dy * (x - mean) per channel, one that writes dx.
#include <sstream>

#include "ops/bn/bn_kernel.hpp"
#include "ops/bn/bn_layout.hpp"
#include "ops/bn/bn_ops.hpp"
#include "ops/op_util.hpp"
#include "theon/clone.hpp"
#include "theon/grad.hpp"
#include "theon/reduce.hpp"

namespace theon::detail::bn {
namespace {

const char* const kInputNames[] = {"inputs", "output gradient", "gamma", "mean", "invstd"};

class BatchNormTrainGrad final : public Op {
 public:
  explicit BatchNormTrainGrad(std::vector<int> axes) : axes_(std::move(axes)) {}

  std::string name() const override { return "batch_normalization_train_grad"; }
  std::string props() const override { return "axes=" + axes_str(axes_); }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& x = in[0];
    expect_like_inputs(name(), in, kInputNames);
    return {x.type(), in[2].type(), in[2].type()};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray& dy = *in[1];
    THEON_CHECK_USER(dy.shape() == x.shape(), ShapeError)
        << name() << ": the output gradient has shape " << dy.shape() << " where inputs have "
        << x.shape();
    const Shape stats = statistics_shape(x.shape(), axes_);
    for (size_t i = 2; i < in.size(); ++i)
      check_statistics_shape(name(), kInputNames[i], *in[i], stats, x.shape());
    NDArray& dx = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    NDArray& dgamma = reuse_or_allocate(*out[1], x.dtype(), stats);
    NDArray& dbeta = reuse_or_allocate(*out[2], x.dtype(), stats);
    const ChannelLayout<3> layout({&x, &dy, &dx}, normalized_mask(x.ndim(), axes_));
    THEON_CHECK_USER(layout.per_channel() > 0, ValueError)
        << name() << ": no values along the axes " << axes_str(axes_) << " of inputs of shape "
        << x.shape();
    visit_float(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const int64_t channels = layout.channels();
      std::vector<T> gamma, mean, invstd;
      values(*in[2], gamma);
      values(*in[3], mean);
      values(*in[4], invstd);
      std::vector<double> s1, s2;
      sums<T>(x, dy, layout, mean, s1, s2);
      // dx = dy * a + (x - mean) * b + c per channel.
      std::vector<T> a(static_cast<size_t>(channels)), b(a.size()), c(a.size());
      const double inv_m = 1.0 / static_cast<double>(layout.per_channel());
      T* dg = dgamma.data<T>();
      T* db = dbeta.data<T>();
      for (int64_t k = 0; k < channels; ++k) {
        const double g = gamma[k], is = invstd[k];
        db[k] = static_cast<T>(s1[k]);
        dg[k] = static_cast<T>(s2[k] * is);
        a[k] = static_cast<T>(g * is);
        b[k] = static_cast<T>(-g * is * is * is * s2[k] * inv_m);
        c[k] = static_cast<T>(-g * is * s1[k] * inv_m);
      }
      write<T>(x, dy, dx, layout, mean, a, b, c);
    });
  }

  // The second derivative: the Lop of the same formulas written as a graph. They are
  // written on stand-ins for the inputs, so that Lop takes partial derivatives (mean and
  // invstd depend on x, and that path is the forward's pullback's to follow), and the
  // stand-ins are then replaced by the inputs.
  Vars pullback(const ApplyNode& node, std::span<const Var> grads) const override {
    using namespace tensor;
    const Loc& loc = node.loc;
    Vars own;
    std::vector<std::pair<Var, Var>> replace;
    for (const Var& in : node.inputs) {
      own.push_back(variable(in.type(), in.name(), loc));
      replace.emplace_back(own.back(), in);
    }
    const Var &x = own[0], &dy = own[1], &gamma = own[2], &mean = own[3], &invstd = own[4];
    const Var m = count_per_channel(x, axes_, x.dtype(), loc);
    const Var centered = VarArg(x, loc) - VarArg(mean, loc);
    const Var dbeta = sum(VarArg(dy, loc), axes_, true);
    const Var dot = sum(VarArg(VarArg(dy, loc) * centered, loc), axes_, true);
    const Var dgamma = VarArg(dot, loc) * invstd;
    const Var inner = VarArg(VarArg(dy, loc) - VarArg(VarArg(dbeta, loc) / m, loc), loc) -
                      VarArg(VarArg(centered * invstd, loc) * VarArg(dgamma, loc), loc) / m;
    const Var dx = VarArg(VarArg(gamma, loc) * invstd, loc) * inner;
    const Var formulas[] = {dx, dgamma, dbeta};
    Vars outputs, points;
    for (size_t i = 0; i < 3; ++i) {
      if (!grads[i].defined()) continue;
      outputs.push_back(formulas[i]);
      points.push_back(grads[i].dtype() == x.dtype() ? grads[i]
                                                     : cast(VarArg(grads[i], loc), x.dtype()));
    }
    if (outputs.empty()) return Vars(node.inputs.size());
    return clone(Lop(outputs, own, points, loc), replace);
  }

 private:
  template <class T>
  static void values(const NDArray& p, std::vector<T>& out) {
    out.resize(static_cast<size_t>(p.size()));
    const NDArray c = p.contiguous();
    const T* data = c.data<T>();
    std::copy(data, data + p.size(), out.begin());
  }

  // s1 = sum(dy), s2 = sum(dy * (x - mean)) per channel, from partial sums per task.
  template <class T>
  static void sums(const NDArray& x, const NDArray& dy, const ChannelLayout<3>& layout,
                   const std::vector<T>& mean, std::vector<double>& s1, std::vector<double>& s2) {
    const int64_t channels = layout.channels(), n = layout.row_length();
    const int64_t xs = layout.row_stride(0), gs = layout.row_stride(1);
    const int64_t step = layout.row_channel_step();
    const T* xp = x.data<T>();
    const T* gp = dy.data<T>();
    const int tasks = task_count(layout.rows(), n);
    std::vector<double> partial(static_cast<size_t>(2 * channels * tasks), 0.0);
    for_tasks(tasks, layout.rows(), [&](int task, int64_t begin, int64_t end) {
      double* a = partial.data() + 2 * channels * task;
      double* b = a + channels;
      layout.for_rows(begin, end, [&](const std::array<int64_t, 3>& offset, int64_t c) {
        const T* xr = xp + offset[0];
        const T* gr = gp + offset[1];
        if (step == 0) return gradient_sums(gr, gs, xr, xs, n, mean[c], a[c], b[c]);
        for (int64_t j = 0, k = c; j < n; ++j, k += step) {
          const double g = static_cast<double>(gr[j * gs]);
          a[k] += g;
          b[k] += g * static_cast<double>(xr[j * xs] - mean[k]);
        }
      });
    });
    s1.assign(static_cast<size_t>(channels), 0.0);
    s2.assign(static_cast<size_t>(channels), 0.0);
    for (int t = 0; t < tasks; ++t)
      for (int64_t c = 0; c < channels; ++c) {
        s1[c] += partial[2 * channels * t + c];
        s2[c] += partial[2 * channels * t + channels + c];
      }
  }

  template <class T>
  static void write(const NDArray& x, const NDArray& dy, NDArray& dx,
                    const ChannelLayout<3>& layout, const std::vector<T>& mean,
                    const std::vector<T>& a, const std::vector<T>& b, const std::vector<T>& c) {
    const int64_t n = layout.row_length(), xs = layout.row_stride(0), gs = layout.row_stride(1);
    const int64_t step = layout.row_channel_step();
    const T* xp = x.data<T>();
    const T* gp = dy.data<T>();
    T* dp = dx.data<T>();
    for_tasks(task_count(layout.rows(), n), layout.rows(), [&](int, int64_t begin, int64_t end) {
      layout.for_rows(begin, end, [&](const std::array<int64_t, 3>& offset, int64_t k0) {
        const T* xr = xp + offset[0];
        const T* gr = gp + offset[1];
        T* dr = dp + offset[2];
        if (step == 0) return input_gradient(gr, gs, xr, xs, dr, n, mean[k0], a[k0], b[k0], c[k0]);
        for (int64_t j = 0, k = k0; j < n; ++j, k += step)
          dr[j] = gr[j * gs] * a[k] + (xr[j * xs] - mean[k]) * b[k] + c[k];
      });
    });
  }

  std::vector<int> axes_;
};

}  // namespace

Vars train_gradient(const Var& x, const Var& dy, const Var& gamma, const Var& mean,
                    const Var& invstd, const std::vector<int>& axes, const Loc& loc) {
  return make_apply(std::make_shared<const BatchNormTrainGrad>(axes), {x, dy, gamma, mean, invstd},
                    loc);
}

}  // namespace theon::detail::bn
