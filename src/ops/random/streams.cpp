// theon::random::Streams: makes a state per draw, applies the stream op, and records the
// state's default update. Distribution parameters are applied in the graph (low + (high -
// low) * u, u < p), so they broadcast as element-wise ops do and fuse with their users.
#include "theon/random.hpp"

#include "ops/op_util.hpp"
#include "ops/random/random_ops.hpp"

namespace theon::random {

namespace T = theon::tensor;
using detail::Distribution;

struct Streams::Impl {
  int64_t seed;
  std::vector<StateUpdate> states;

  // A new state (stream number = how many came before), its node's outputs, and its
  // default update. Returns the sample.
  template <class O, class... A>
  Var draw(const Loc& loc, Vars params, A&&... args) {
    const uint64_t stream = states.size();
    SharedVar state = shared(detail::state_array({static_cast<uint64_t>(seed), stream, 0}),
                             "random_state", false, loc);
    params.insert(params.begin(), state);
    Vars outs = make_apply(std::make_shared<const O>(std::forward<A>(args)...), std::move(params), loc);
    state.set_default_update(outs[0]);
    states.push_back({state, outs[0]});
    return outs[1];
  }
};

namespace {

const Var& size_vector(const ShapeArg& size, const char* op) {
  THEON_CHECK_USER(size.length() >= 0, ValueError)
      << op << ": the length of size must be known when the graph is built (give a shape "
      << "of known rank: a list of integers or scalars, or T::shape(x))";
  return size.vector();
}

// floatX, unless a float64 variable among the parameters asks for more (Theano's upcast).
DType default_float(std::initializer_list<const VarArg*> params) {
  DType d = config().floatX;
  for (const VarArg* p : params)
    if (!p->var.is_weak() && p->var.dtype() == DType::Float64) d = DType::Float64;
  return d;
}

void expect_float_dtype(const char* op, DType d) {
  THEON_CHECK_USER(d == DType::Float32 || d == DType::Float64, TypeError)
      << op << ": dtype must be float32 or float64, got " << dtype_name(d);
}

bool is_constant_value(const Var& v, double value) {
  auto c = detail::constant_real(v);
  return c && *c == value;
}

}  // namespace

Streams::Streams(int64_t seed) : impl_(std::make_shared<Impl>(Impl{seed, {}})) {}

Var Streams::uniform(const ShapeArg& size, VarArg low, VarArg high, std::optional<DType> dtype, Loc loc) {
  const DType d = dtype.value_or(default_float({&low, &high}));
  expect_float_dtype("uniform", d);
  Var u = impl_->draw<detail::RandomDraw>(loc, {size_vector(size, "uniform")}, Distribution::Uniform, d,
                                          size.length());
  if (is_constant_value(low.var, 0) && is_constant_value(high.var, 1)) return u;
  return T::cast(VarArg(low.var + (high.var - low.var) * u, loc), d);
}

Var Streams::normal(const ShapeArg& size, VarArg avg, VarArg std, std::optional<DType> dtype, Loc loc) {
  const DType d = dtype.value_or(default_float({&avg, &std}));
  expect_float_dtype("normal", d);
  Var z = impl_->draw<detail::RandomDraw>(loc, {size_vector(size, "normal")}, Distribution::Normal, d,
                                          size.length());
  if (is_constant_value(avg.var, 0) && is_constant_value(std.var, 1)) return z;
  return T::cast(VarArg(avg.var + std.var * z, loc), d);
}

Var Streams::binomial(const ShapeArg& size, VarArg n, VarArg p, DType dtype, Loc loc) {
  THEON_CHECK_USER(!is_complex(dtype), TypeError) << "binomial: dtype " << dtype_name(dtype) << " is not real";
  THEON_CHECK_USER(!is_complex(p.var.dtype()) && p.var.ndim() <= size.length(), TypeError)
      << "binomial: p must be a real tensor of at most " << size.length() << " dimensions, got "
      << p.var.type().str();
  if (auto trials = detail::constant_int(n.var); trials && *trials == 1) {
    // A Bernoulli mask, compared in p's precision (float32 unless p is a float64 variable).
    const DType ud = !p.var.is_weak() && p.var.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
    Var u = impl_->draw<detail::RandomDraw>(loc, {size_vector(size, "binomial")}, Distribution::Uniform, ud,
                                            size.length());
    return T::cast(VarArg(u < p.var, loc), dtype);
  }
  return impl_->draw<detail::RandomDraw>(loc, {size_vector(size, "binomial"), n.var, p.var},
                                         Distribution::Binomial, dtype, size.length());
}

Var Streams::multinomial(VarArg pvals, VarArg n, DType dtype, Loc loc) {
  return impl_->draw<detail::Multinomial>(loc, {pvals.var, n.var}, dtype);
}

Var Streams::choice(const ShapeArg& size, VarArg a, bool replace, std::optional<Var> p, Loc loc) {
  Vars params{size_vector(size, "choice"), a.var};
  if (p) params.push_back(*p);
  return impl_->draw<detail::Choice>(loc, std::move(params), size.length(), replace, p.has_value());
}

Var Streams::permutation(VarArg n, const ShapeArg& size, Loc loc) {
  return impl_->draw<detail::Permutation>(loc, {size_vector(size, "permutation"), n.var}, size.length());
}

Var Streams::random_integers(const ShapeArg& size, VarArg low, VarArg high, Loc loc) {
  THEON_CHECK_USER(is_discrete(low.var.dtype()) && is_discrete(high.var.dtype()), TypeError)
      << "random_integers: low and high must be integers, got " << low.var.type().str() << " and "
      << high.var.type().str();
  Var u = impl_->draw<detail::RandomDraw>(loc, {size_vector(size, "random_integers")}, Distribution::Uniform,
                                          DType::Float64, size.length());
  // floor(u * count) is in [0, count) since u < 1 (exact for counts below 2^52).
  Var low64 = T::cast(VarArg(low.var, loc), DType::Int64);
  Var count = T::cast(VarArg(high.var, loc), DType::Int64) - low64 + 1;
  return low64 + T::cast(VarArg(T::floor(VarArg(u * count, loc)), loc), DType::Int64);
}

Var Streams::shuffle_row_elements(VarArg x, Loc loc) {
  return impl_->draw<detail::ShuffleRows>(loc, {x.var});
}

void Streams::seed(int64_t new_seed) {
  impl_->seed = new_seed;
  for (size_t i = 0; i < impl_->states.size(); ++i)
    impl_->states[i].state.set_value(detail::state_array({static_cast<uint64_t>(new_seed), i, 0}));
}

const std::vector<Streams::StateUpdate>& Streams::state_updates() const { return impl_->states; }

Updates Streams::updates() const {
  Updates ups;
  for (const StateUpdate& s : impl_->states) ups.push_back({s.state, s.update});
  return ups;
}

}  // namespace theon::random
