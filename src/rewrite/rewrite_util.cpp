#include "rewrite/rewrite_util.hpp"

#include "theon/tensor.hpp"

namespace theon::rewrite {

using detail::Elemwise;

const Elemwise* elemwise_of(const Var& v) { return v.owner() ? elemwise_of(*v.owner()) : nullptr; }

const Elemwise* elemwise_of(const Var& v, detail::ScalarOpId id) {
  const Elemwise* e = elemwise_of(v);
  return e && e->scalar_op() == id ? e : nullptr;
}

const Elemwise* elemwise_of(const ApplyNode& node) { return dynamic_cast<const Elemwise*>(&node.op()); }

std::optional<double> uniform_constant(const Var& v) {
  if (!v.is_constant()) return std::nullopt;
  const NDArray c = v.constant_value().contiguous();
  if (c.size() == 0) return std::nullopt;
  std::optional<double> out;
  visit_dtype(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = c.template data<T>();
    for (int64_t i = 1; i < c.size(); ++i)
      if (!(p[i] == p[0])) return;
    if constexpr (is_complex(dtype_of_t<T>::value)) {
      if (p[0].imag() == 0) out = p[0].real();
    } else {
      out = static_cast<double>(p[0]);
    }
  });
  return out;
}

Var typed_constant(NDArray value, const TensorType& type, const Loc& loc) {
  THEON_ASSERT(value.dtype() == type.dtype && value.ndim() == type.ndim())
      << "typed_constant: value does not fit " << type.str();
  for (int d = 0; d < type.ndim(); ++d)
    THEON_ASSERT(!type.broadcastable[d] || value.shape(d) == 1)
        << "typed_constant: dimension " << d << " of " << type.str() << " has length " << value.shape(d);
  Var v = constant(std::move(value), "", loc);
  v.get()->type = type;
  return v;
}

Var scalar_constant(double value, DType dtype, int ndim, const Loc& loc) {
  NDArray a = NDArray::full(dtype, Shape(ndim, 1), value);
  return constant(std::move(a), "", loc);
}

std::optional<Var> broadcast_like(const Var& value, const Var& like, std::span<const Var> shape_sources) {
  Var v = value;
  if (v.dtype() != like.dtype()) v = tensor::cast(v, like.dtype());
  THEON_ASSERT(v.ndim() <= like.ndim()) << "broadcast_like: value has more dimensions";
  auto covers = [&](const Var& x) {
    for (int d = 0; d < like.ndim(); ++d) {
      const int dx = d - (like.ndim() - x.ndim());
      const bool bx = dx < 0 || x.broadcastable()[dx];
      if (bx && !like.broadcastable()[d]) return false;
    }
    return true;
  };
  for (const Var& s : shape_sources) {
    if (covers(v)) break;
    if (s.is(value)) continue;
    // Only sources that are longer where v is broadcastable help.
    bool helps = false;
    for (int d = 0; d < like.ndim(); ++d) {
      const int dv = d - (like.ndim() - v.ndim()), ds = d - (like.ndim() - s.ndim());
      const bool bv = dv < 0 || v.broadcastable()[dv];
      const bool bs = ds < 0 || s.broadcastable()[ds];
      helps = helps || (bv && !bs);
    }
    if (helps) v = tensor::fill(s, v);
  }
  if (v.ndim() != like.ndim() || !(v.type() == like.type())) return std::nullopt;
  return v;
}

size_t n_clients(const FunctionGraph& fgraph, const Var& v) { return fgraph.n_clients(v); }

}  // namespace theon::rewrite
