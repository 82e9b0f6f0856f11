// The training forward of batch normalization: the statistics and the normalized output
// in two passes over the input, threaded over its rows.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ops/bn/bn_kernel.hpp"
#include "ops/bn/bn_layout.hpp"
#include "ops/bn/bn_ops.hpp"
#include "ops/op_util.hpp"

namespace theon::detail::bn {
namespace {

const char* const kInputNames[] = {"inputs", "gamma", "beta", "running_mean", "running_var"};

// The values of a statistics-shaped array, one per channel (in channel order), as T.
template <class T>
void channel_values(const NDArray& p, std::vector<T>& out) {
  const int64_t channels = p.size();
  out.resize(static_cast<size_t>(channels));
  visit_float(p.dtype(), [&](auto zero) {
    using P = decltype(zero);
    const P* base = p.data<P>();
    for (int64_t c = 0; c < channels; ++c) {
      int64_t rest = c, offset = 0;
      for (int d = p.ndim() - 1; d >= 0; --d) {
        offset += rest % p.shape(d) * p.strides()[d];
        rest /= p.shape(d);
      }
      out[static_cast<size_t>(c)] = static_cast<T>(base[offset]);
    }
  });
}

class BatchNormTrain final : public Op {
 public:
  BatchNormTrain(std::vector<int> axes, double epsilon, double factor, bool running)
      : axes_(std::move(axes)), epsilon_(epsilon), factor_(factor), running_(running) {}

  std::string name() const override { return "batch_normalization_train"; }
  std::string props() const override {
    std::ostringstream os;
    os.precision(17);
    os << "axes=" << axes_str(axes_) << " epsilon=" << epsilon_;
    if (running_) os << " running_average_factor=" << factor_;
    return os.str();
  }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& x = in[0];
    expect_like_inputs(name(), in, kInputNames);
    BroadcastPattern pattern = x.broadcastable();
    for (int a : axes_) pattern[a] = true;
    const TensorType statistics(x.dtype(), pattern);
    std::vector<TensorType> types = {x.type(), statistics, statistics};
    if (running_) types.insert(types.end(), {statistics, statistics});
    return types;
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const Shape stats = statistics_shape(x.shape(), axes_);
    for (size_t i = 1; i < in.size(); ++i)
      check_statistics_shape(name(), kInputNames[i], *in[i], stats, x.shape());
    NDArray& y = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    const ChannelLayout<2> layout({&x, &y}, normalized_mask(x.ndim(), axes_));
    const int64_t m = layout.per_channel();
    THEON_CHECK_USER(m > 0, ValueError)
        << name() << ": no values to normalize: inputs of shape " << x.shape()
        << " are empty along the axes " << axes_str(axes_);
    THEON_CHECK_USER(!running_ || m > 1, ValueError)
        << name() << ": the running variance needs at least 2 values per channel (it is "
        << "unbiased), inputs of shape " << x.shape() << " have 1 along the axes "
        << axes_str(axes_);
    NDArray& mean_out = reuse_or_allocate(*out[1], x.dtype(), stats);
    NDArray& invstd_out = reuse_or_allocate(*out[2], x.dtype(), stats);
    visit_float(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const int64_t channels = layout.channels();
      std::vector<double> mean, var;
      statistics<T>(x, layout, mean, var);
      std::vector<T> gamma, beta, mean_t(static_cast<size_t>(channels)),
          scale(static_cast<size_t>(channels));
      channel_values(*in[1], gamma);
      channel_values(*in[2], beta);
      T* mp = mean_out.data<T>();
      T* ip = invstd_out.data<T>();
      for (int64_t c = 0; c < channels; ++c) {
        const double invstd = 1.0 / std::sqrt(var[c] + epsilon_);
        mean_t[c] = mp[c] = static_cast<T>(mean[c]);
        ip[c] = static_cast<T>(invstd);
        scale[c] = static_cast<T>(static_cast<double>(gamma[c]) * invstd);
      }
      write_output<T>(x, y, layout, mean_t, scale, beta);
      if (running_) update_running<T>(in, out, stats, mean, var, m);
    });
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> grads) const override;

 private:
  // Per channel: the mean and the (biased) variance, from sums of x - shift kept per task.
  template <class T>
  void statistics(const NDArray& x, const ChannelLayout<2>& layout, std::vector<double>& mean,
                  std::vector<double>& var) const {
    const int64_t channels = layout.channels(), n = layout.row_length();
    const int64_t xs = layout.row_stride(0), step = layout.row_channel_step();
    const T* xp = x.data<T>();
    std::vector<T> shift(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) shift[c] = xp[layout.channel_offset(0, c)];
    const int tasks = task_count(layout.rows(), n);
    std::vector<double> sums(static_cast<size_t>(2 * channels * tasks), 0.0);
    for_tasks(tasks, layout.rows(), [&](int task, int64_t begin, int64_t end) {
      double* s1 = sums.data() + 2 * channels * task;
      double* s2 = s1 + channels;
      layout.for_rows(begin, end, [&](const std::array<int64_t, 2>& offset, int64_t c) {
        const T* row = xp + offset[0];
        if (step == 0) return shifted_sums(row, xs, n, shift[c], s1[c], s2[c]);
        for (int64_t j = 0, k = c; j < n; ++j, k += step) {
          const double d = static_cast<double>(row[j * xs] - shift[k]);
          s1[k] += d;
          s2[k] += d * d;
        }
      });
    });
    mean.assign(static_cast<size_t>(channels), 0.0);
    var.assign(static_cast<size_t>(channels), 0.0);
    const double inv_m = 1.0 / static_cast<double>(layout.per_channel());
    for (int64_t c = 0; c < channels; ++c) {
      double s1 = 0, s2 = 0;
      for (int t = 0; t < tasks; ++t) {
        s1 += sums[2 * channels * t + c];
        s2 += sums[2 * channels * t + channels + c];
      }
      const double shifted_mean = s1 * inv_m;
      mean[c] = static_cast<double>(shift[c]) + shifted_mean;
      var[c] = std::max(0.0, s2 * inv_m - shifted_mean * shifted_mean);
      if (std::isnan(s2)) var[c] = s2;  // max would hide it
    }
  }

  template <class T>
  void write_output(const NDArray& x, NDArray& y, const ChannelLayout<2>& layout,
                    const std::vector<T>& mean, const std::vector<T>& scale,
                    const std::vector<T>& beta) const {
    const int64_t n = layout.row_length(), xs = layout.row_stride(0);
    const int64_t step = layout.row_channel_step();
    THEON_ASSERT(layout.row_stride(1) == 1 || n <= 1) << name() << ": strided output";
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    for_tasks(task_count(layout.rows(), n), layout.rows(), [&](int, int64_t begin, int64_t end) {
      layout.for_rows(begin, end, [&](const std::array<int64_t, 2>& offset, int64_t c) {
        const T* row = xp + offset[0];
        T* dst = yp + offset[1];
        if (step == 0) return normalize(row, xs, dst, n, mean[c], scale[c], beta[c]);
        for (int64_t j = 0, k = c; j < n; ++j, k += step)
          dst[j] = (row[j * xs] - mean[k]) * scale[k] + beta[k];
      });
    });
  }

  // new = old * (1 - factor) + statistic * factor, with the unbiased variance.
  template <class T>
  void update_running(std::span<const NDArray* const> in, std::span<NDArray* const> out,
                      const Shape& stats, const std::vector<double>& mean,
                      const std::vector<double>& var, int64_t m) const {
    std::vector<T> old_mean, old_var;
    channel_values(*in[3], old_mean);
    channel_values(*in[4], old_var);
    T* rm = reuse_or_allocate(*out[3], in[0]->dtype(), stats).template data<T>();
    T* rv = reuse_or_allocate(*out[4], in[0]->dtype(), stats).template data<T>();
    const double unbiased = static_cast<double>(m) / static_cast<double>(m - 1);
    for (size_t c = 0; c < mean.size(); ++c) {
      rm[c] = static_cast<T>(old_mean[c] * (1 - factor_) + mean[c] * factor_);
      rv[c] = static_cast<T>(old_var[c] * (1 - factor_) + var[c] * unbiased * factor_);
    }
  }

  std::vector<int> axes_;
  double epsilon_, factor_;
  bool running_;
};

// The sum of two gradient terms, either of which may be undefined (no gradient).
Var plus(const Var& a, const Var& b, const Loc& loc) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return VarArg(a, loc) + VarArg(b, loc);
}

// d out: the gradient op. d mean and d invstd (and the running outputs, which read mean
// and the variance) reach x through
//   d mean / d x = 1 / m,   d var / d x = 2 (x - mean) / m,   d invstd / d var = -invstd^3 / 2.
Vars BatchNormTrain::pullback(const ApplyNode& node, std::span<const Var> grads) const {
  using namespace tensor;
  const Loc& loc = node.loc;
  const Var& x = node.inputs[0];
  const Var mean = node.output(1), invstd = node.output(2);
  auto as_x_dtype = [&](const Var& g) {
    return !g.defined() || g.dtype() == x.dtype() ? g : cast(VarArg(g, loc), x.dtype());
  };
  Vars result(node.inputs.size());
  if (grads[0].defined()) {
    const Vars d =
        train_gradient(x, as_x_dtype(grads[0]), node.inputs[1], mean, invstd, axes_, loc);
    result = {d[0], d[1], d[2]};
    result.resize(node.inputs.size());
  }
  Var g_mean = as_x_dtype(grads[1]), g_var;
  if (grads[2].defined()) {
    const Var cube = VarArg(VarArg(invstd, loc) * invstd, loc) * invstd;
    g_var = VarArg(VarArg(-0.5, loc) * as_x_dtype(grads[2]), loc) * cube;
  }
  const Var m = count_per_channel(x, axes_, x.dtype(), loc);
  if (running_) {
    if (const Var g = as_x_dtype(grads[3]); g.defined()) {
      g_mean = plus(g_mean, VarArg(g, loc) * VarArg(factor_, loc), loc);
      result[3] = VarArg(g, loc) * VarArg(1 - factor_, loc);
    }
    if (const Var g = as_x_dtype(grads[4]); g.defined()) {
      const Var unbiased = VarArg(m, loc) / VarArg(VarArg(m, loc) - VarArg(1, loc), loc);
      g_var = plus(g_var, VarArg(VarArg(g, loc) * VarArg(factor_, loc), loc) * unbiased, loc);
      result[4] = VarArg(g, loc) * VarArg(1 - factor_, loc);
    }
  }
  if (g_mean.defined())
    result[0] = plus(result[0], fill(VarArg(x, loc), VarArg(VarArg(g_mean, loc) / m, loc)), loc);
  if (g_var.defined()) {
    const Var centered = VarArg(x, loc) - VarArg(mean, loc);
    const Var per_value = VarArg(VarArg(g_var, loc) * VarArg(2, loc), loc) / m;
    result[0] = plus(result[0], VarArg(per_value, loc) * centered, loc);
  }
  return result;
}

}  // namespace

Vars train(const Var& x, const Var& gamma, const Var& beta, const std::vector<int>& axes,
           double epsilon, double running_average_factor, const Var& running_mean,
           const Var& running_var, const Loc& loc) {
  const bool running = running_mean.defined();
  Vars inputs = {x, gamma, beta};
  if (running) inputs.insert(inputs.end(), {running_mean, running_var});
  return make_apply(
      std::make_shared<const BatchNormTrain>(axes, epsilon, running_average_factor, running),
      std::move(inputs), loc);
}

}  // namespace theon::detail::bn
