// The interpreter's element-wise loops. Operands are walked row by row; each row is cut
// into blocks that are gathered (converted to the compute dtype, broadcast, made
// contiguous) only when needed, and the scalar op runs over contiguous blocks, which the
// compiler vectorizes.
#include <array>
#include <cstring>

#include "core/strided.hpp"
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "theon/kernel/scalar_math.hpp"

namespace theon::detail {
namespace {

constexpr int64_t kBlock = 256;

template <ScalarOpId Id>
struct Math;
#define THEON_MATH_ROW(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD)        \
  template <>                                                                     \
  struct Math<ScalarOpId::NAME> {                                                 \
    template <class A, class T>                                                   \
    static auto eval([[maybe_unused]] A a, [[maybe_unused]] T b, [[maybe_unused]] T c) { \
      return MATH;                                                                \
    }                                                                             \
  };
THEON_SCALAR_OPS(THEON_MATH_ROW)
#undef THEON_MATH_ROW

template <class T>
struct RealOf {
  using type = T;
};
template <class T>
struct RealOf<std::complex<T>> {
  using type = T;
};

// Whether the op is ever built with compute type T (see elemwise()): only those
// combinations are instantiated.
template <class T>
constexpr bool admits(DTypeRule rule, Domain domain) {
  constexpr bool is_b = std::is_same_v<T, bool>;
  constexpr bool is_c = ComplexElement<T>;
  constexpr bool is_f = std::is_floating_point_v<T>;
  if (domain == Domain::real && is_c) return false;
  if (domain == Domain::integral && (is_c || is_f)) return false;
  if (rule == DTypeRule::ToFloat && !(is_f || is_c)) return false;
  if (rule == DTypeRule::UpcastNoBool && is_b) return false;
  return true;
}

template <size_t Bytes>
using UnsignedOfSize = std::conditional_t<
    Bytes == 1, uint8_t,
    std::conditional_t<Bytes == 2, uint16_t, std::conditional_t<Bytes == 4, uint32_t, uint64_t>>>;

// result[j] = op(a[j], b[j], c[j]) over a contiguous block.
using BlockFn = void (*)(int64_t n, const void* a, const void* b, const void* c, void* result);

template <ScalarOpId Id, DTypeRule Rule, int Arity, class T>
void run_block(int64_t n, const void* pa, const void* pb, const void* pc, void* pr) {
  using A = std::conditional_t<Rule == DTypeRule::Switch, bool, T>;
  using R = std::conditional_t<Rule == DTypeRule::Compare || Rule == DTypeRule::Predicate, bool,
                               std::conditional_t<Rule == DTypeRule::Abs, typename RealOf<T>::type, T>>;
  const A* a = static_cast<const A*>(pa);
  const T* b = static_cast<const T*>(pb);
  const T* c = static_cast<const T*>(pc);
  R* r = static_cast<R*>(pr);
  if constexpr (Rule == DTypeRule::Second) {
    for (int64_t j = 0; j < n; ++j) r[j] = b[j];
  } else if constexpr (Rule == DTypeRule::Switch && std::is_arithmetic_v<T>) {
    // A select by bit mask, which the compiler vectorizes: the plain `a ? b : c` stays a
    // branch, and a condition taken from data (ReLU's gradient) mispredicts half the
    // time (5x slower on W5's random activations).
    using U = UnsignedOfSize<sizeof(T)>;
    for (int64_t j = 0; j < n; ++j) {
      U x, y;
      std::memcpy(&x, &b[j], sizeof(T));
      std::memcpy(&y, &c[j], sizeof(T));
      const U mask = static_cast<U>(U(0) - static_cast<U>(a[j]));
      const U v = static_cast<U>((x & mask) | (y & static_cast<U>(~mask)));
      std::memcpy(&r[j], &v, sizeof(T));
    }
  } else if constexpr (Arity == 1) {
    for (int64_t j = 0; j < n; ++j) r[j] = convert_element<R>(Math<Id>::eval(a[j], T{}, T{}));
  } else if constexpr (Arity == 3) {
    for (int64_t j = 0; j < n; ++j) r[j] = convert_element<R>(Math<Id>::eval(a[j], b[j], c[j]));
  } else {
    for (int64_t j = 0; j < n; ++j) r[j] = convert_element<R>(Math<Id>::eval(a[j], b[j], T{}));
  }
}

BlockFn block_fn(ScalarOpId id, DType compute) {
  switch (id) {
#define THEON_BLOCK_CASE(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD)             \
  case ScalarOpId::NAME:                                                                 \
    return visit_dtype(compute, [](auto tag) -> BlockFn {                                \
      using T = typename decltype(tag)::type;                                            \
      if constexpr (admits<T>(DTypeRule::RULE, Domain::DOMAIN))                          \
        return &run_block<ScalarOpId::NAME, DTypeRule::RULE, ARITY, T>;                  \
      else                                                                               \
        return nullptr;                                                                  \
    });
    THEON_SCALAR_OPS(THEON_BLOCK_CASE)
#undef THEON_BLOCK_CASE
  }
  return nullptr;
}

// Copies n elements at `stride` from src into contiguous dst, converting dtype.
using GatherFn = void (*)(void* dst, const void* src, int64_t n, int64_t stride);

template <class D, class S>
void gather(void* pd, const void* ps, int64_t n, int64_t stride) {
  D* d = static_cast<D*>(pd);
  const S* s = static_cast<const S*>(ps);
  if (stride == 0) {
    const D v = convert_element<D>(s[0]);
    for (int64_t j = 0; j < n; ++j) d[j] = v;
  } else {
    for (int64_t j = 0; j < n; ++j) d[j] = convert_element<D>(s[j * stride]);
  }
}

GatherFn gather_fn(DType to, DType from) {
  return visit_dtype(to, [&](auto to_tag) {
    using D = typename decltype(to_tag)::type;
    return visit_dtype(from, [](auto from_tag) -> GatherFn {
      using S = typename decltype(from_tag)::type;
      return &gather<D, S>;
    });
  });
}

// One operand of the loop.
struct Operand {
  const std::byte* base = nullptr;
  DType dtype = DType::Float64;
  DType want = DType::Float64;  // the dtype the block function reads
  size_t item = 8;
  GatherFn gather = nullptr;
  bool direct = false;  // same dtype: read in place when the row is contiguous
};

// Merges adjacent dimensions that every operand walks as one (row-major contiguous in
// all of them), so contiguous data is one long row.
void collapse(Shape& shape, std::array<Strides, 4>& strides, int n_operands) {
  int nd = static_cast<int>(shape.size());
  for (int d = nd - 2; d >= 0; --d) {
    bool mergeable = true;
    for (int k = 0; k < n_operands; ++k)
      mergeable = mergeable && strides[k][d] == strides[k][d + 1] * shape[d + 1];
    if (!mergeable) continue;
    shape[d] *= shape[d + 1];
    shape.erase(d + 1);
    for (int k = 0; k < n_operands; ++k) {
      strides[k][d] = strides[k][d + 1];
      strides[k].erase(d + 1);
    }
  }
}

// out = op(inputs), for at most three inputs, all of the output's rank.
void run_simple(const Elemwise& op, std::span<const NDArray* const> in,
                std::span<const TensorType* const> types, NDArray& out) {
  const int n_in = static_cast<int>(in.size());
  const DType compute = op.compute_dtype();
  const DTypeRule rule = op.info().rule;
  BlockFn fn = block_fn(op.scalar_op(), compute);
  THEON_ASSERT(fn) << op.name() << " has no loop for " << dtype_name(compute);

  Shape shape = out.shape();
  std::array<Strides, 4> strides;
  std::array<Operand, 3> operands;
  for (int k = 0; k < n_in; ++k) {
    const NDArray& a = *in[k];
    strides[k] = Strides(shape.size(), 0);
    for (int d = 0; d < out.ndim(); ++d)
      if (!(*types[k]).broadcastable[d] || a.shape(d) == shape[d]) strides[k][d] = a.strides()[d];
    Operand& o = operands[k];
    o.base = static_cast<const std::byte*>(a.raw());
    o.dtype = a.dtype();
    o.want = (rule == DTypeRule::Switch && k == 0) ? DType::Bool : compute;
    o.item = itemsize(a.dtype());
    o.gather = gather_fn(o.want, o.dtype);
    o.direct = o.dtype == o.want;
  }
  strides[n_in] = out.strides();
  collapse(shape, strides, n_in + 1);

  std::array<const int64_t*, 4> stride_ptrs;
  const Strides zero(shape.size(), 0);
  for (int k = 0; k < 4; ++k) stride_ptrs[k] = k <= n_in ? strides[k].data() : zero.data();
  const int nd = static_cast<int>(shape.size());
  auto inner = [&](int k) { return nd ? strides[k][nd - 1] : 1; };
  std::array<int64_t, 3> inner_stride{};
  for (int k = 0; k < n_in; ++k) inner_stride[k] = inner(k);
  const int64_t out_inner = inner(n_in);
  const size_t out_item = itemsize(out.dtype());
  std::byte* out_base = static_cast<std::byte*>(out.raw());
  const bool skip_first = rule == DTypeRule::Second;

  alignas(64) std::byte scratch[3][kBlock * 16];
  alignas(64) std::byte result[kBlock * 16];
  detail::for_each_row<4>(shape, stride_ptrs, [&](const auto& offsets, int64_t n) {
    for (int64_t start = 0; start < n; start += kBlock) {
      const int64_t m = std::min(kBlock, n - start);
      const void* args[3] = {nullptr, nullptr, nullptr};
      for (int k = 0; k < n_in; ++k) {
        if (k == 0 && skip_first) continue;
        const Operand& o = operands[k];
        const std::byte* p =
            o.base + (offsets[k] + start * inner_stride[k]) * static_cast<int64_t>(o.item);
        if (o.direct && inner_stride[k] == 1) {
          args[k] = p;
        } else {
          o.gather(scratch[k], p, m, inner_stride[k]);
          args[k] = scratch[k];
        }
      }
      std::byte* dst = out_base + (offsets[n_in] + start * out_inner) * static_cast<int64_t>(out_item);
      if (out_inner == 1) {
        fn(m, args[0], args[1], args[2], dst);
      } else {
        fn(m, args[0], args[1], args[2], result);
        for (int64_t j = 0; j < m; ++j)
          std::memcpy(dst + j * out_inner * static_cast<int64_t>(out_item), result + j * out_item,
                      out_item);
      }
    }
  });
}

}  // namespace

ScalarBlockFn scalar_block_fn(ScalarOpId id, DType compute) { return block_fn(id, compute); }

void run_elemwise(const Elemwise& op, std::span<const NDArray* const> in,
                  std::span<const TensorType* const> types, NDArray& out, const ApplyNode*) {
  const int nd = types[0]->ndim();
  Shape shape(nd, 1);
  for (int d = 0; d < nd; ++d) {
    bool known = false;
    for (size_t k = 0; k < in.size(); ++k) {
      const int64_t length = in[k]->shape(d);
      if (types[k]->broadcastable[d]) {
        THEON_ASSERT(length == 1) << op.name() << ": broadcastable dimension " << d
                                  << " of input " << k << " has length " << length;
        continue;
      }
      if (!known) {
        shape[d] = length;
        known = true;
        continue;
      }
      if (length != shape[d]) {
        THEON_FAIL(ShapeError) << op.name() << ": dimension " << d << " has length " << shape[d]
                               << " in one operand and " << length << " in input " << k
                               << " (only dimensions declared broadcastable, such as a row's "
                                  "first, stretch to match)";
      }
    }
  }
  reuse_or_allocate(out, op.out_dtype(), shape);
  if (out.size() == 0) return;
  if (in.size() <= 3 && !(op.info().arity == 0 && in.size() == 3)) {
    run_simple(op, in, types, out);
    return;
  }
  // n-ary add and mul: fold left, accumulating in the output.
  const NDArray* first[] = {in[0], in[1]};
  const TensorType* first_types[] = {types[0], types[1]};
  run_simple(op, first, first_types, out);
  TensorType out_type(op.out_dtype(), BroadcastPattern(nd, false));
  for (size_t k = 2; k < in.size(); ++k) {
    const NDArray* pair[] = {&out, in[k]};
    const TensorType* pair_types[] = {&out_type, types[k]};
    run_simple(op, pair, pair_types, out);
  }
}

void Elemwise::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                       std::span<NDArray* const> out) const {
  std::array<const TensorType*, 8> small;
  std::vector<const TensorType*> large;
  std::span<const TensorType*> types;
  if (node.inputs.size() <= small.size()) {
    types = std::span<const TensorType*>(small.data(), node.inputs.size());
  } else {
    large.resize(node.inputs.size());
    types = large;
  }
  for (size_t k = 0; k < node.inputs.size(); ++k) types[k] = &node.inputs[k].type();
  run_elemwise(*this, in, types, *out[0], &node);
}

}  // namespace theon::detail
