// Codecs of the element-wise, reduction, dot and indexing ops.
#include "ops/advanced_subtensor.hpp"
#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/elemwise.hpp"
#include "ops/reduce.hpp"
#include "ops/subtensor.hpp"
#include "serialize/codec_registry.hpp"

namespace theon::detail {
namespace {

#define THEON_COUNT_ROW(...) +1
constexpr int kScalarOpCount = 0 THEON_SCALAR_OPS(THEON_COUNT_ROW);
#undef THEON_COUNT_ROW

DType read_dtype(Reader& r) {
  const uint8_t d = r.u8();
  if (d > static_cast<uint8_t>(DType::Complex128)) r.fail("a dtype code is " + std::to_string(d));
  return static_cast<DType>(d);
}

int input_ndim(Reader& r, std::span<const Var> in, size_t i = 0) {
  if (in.size() <= i) r.fail("the op has too few inputs");
  return in[i].ndim();
}

void write_bound(Writer& w, const IndexBound& b) {
  w.u8(static_cast<uint8_t>(b.kind));
  w.i64(b.value);
}

IndexBound read_bound(Reader& r) {
  IndexBound b;
  const uint8_t k = r.u8();
  if (k > static_cast<uint8_t>(IndexBound::Kind::Input)) r.fail("an index bound kind is wrong");
  b.kind = static_cast<IndexBound::Kind>(k);
  b.value = r.i64();
  return b;
}

}  // namespace

void write_index_list(Writer& w, const IndexList& list) {
  w.i64(static_cast<int64_t>(list.size()));
  for (const IndexEntry& e : list) {
    w.boolean(e.is_slice);
    write_bound(w, e.start);
    write_bound(w, e.stop);
    write_bound(w, e.step);
  }
}

IndexList read_index_list(Reader& r) {
  const int64_t n = r.i64();
  if (n < 0 || n > kMaxDims * 4) r.fail("an index list has " + std::to_string(n) + " entries");
  IndexList list(static_cast<size_t>(n));
  for (IndexEntry& e : list) {
    e.is_slice = r.boolean();
    e.start = read_bound(r);
    e.stop = read_bound(r);
    e.step = read_bound(r);
  }
  return list;
}

void write_advanced_index(Writer& w, const AdvancedIndex& index) {
  w.i64(static_cast<int64_t>(index.size()));
  for (const AdvancedEntry& e : index) {
    w.u8(static_cast<uint8_t>(e.kind));
    write_index_list(w, {e.basic});
  }
}

AdvancedIndex read_advanced_index(Reader& r) {
  const int64_t n = r.i64();
  if (n < 0 || n > kMaxDims * 4) r.fail("an advanced index has " + std::to_string(n) + " entries");
  AdvancedIndex index(static_cast<size_t>(n));
  for (AdvancedEntry& e : index) {
    const uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(AdvancedEntry::Kind::NewAxis)) r.fail("an index entry kind is wrong");
    e.kind = static_cast<AdvancedEntry::Kind>(kind);
    const IndexList basic = read_index_list(r);
    if (basic.size() != 1) r.fail("an index entry is malformed");
    e.basic = basic[0];
  }
  return index;
}

void register_codecs_core() {
  // Made by the rewrite of advanced indexing's gradient, and by users' graphs through it.
  add_rebuild_codec("row_labels", [](Reader& r, std::span<const Var> in) {
    if (in.size() != 4) r.fail("row_labels has " + std::to_string(in.size()) + " inputs");
    return row_labels(in[0], in[1], in[2], in[3], Loc());
  });
  add_codec<AdvancedSubtensor>(
      "advanced_subtensor", [](const AdvancedSubtensor& op, Writer& w) { write_advanced_index(w, op.index()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<AdvancedSubtensor>(read_advanced_index(r)); });
  add_codec<AdvancedIncSubtensor>(
      "advanced_inc_subtensor",
      [](const AdvancedIncSubtensor& op, Writer& w) {
        write_advanced_index(w, op.index());
        w.boolean(op.is_set());
      },
      [](Reader& r, std::span<const Var>) {
        AdvancedIndex index = read_advanced_index(r);
        return std::make_shared<AdvancedIncSubtensor>(std::move(index), r.boolean());
      });
  add_codec<Elemwise>(
      "elemwise",
      [](const Elemwise& op, Writer& w) {
        // By name, not enum value: a new row in scalar_ops.def does not shift old files.
        w.str(op.info().name);
        w.u8(static_cast<uint8_t>(op.compute_dtype()));
        w.u8(static_cast<uint8_t>(op.out_dtype()));
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const std::string name = r.str();
        const DType compute = read_dtype(r), out = read_dtype(r);
        for (int i = 0; i < kScalarOpCount; ++i) {
          const auto id = static_cast<ScalarOpId>(i);
          if (name == scalar_op_info(id).name) return std::make_shared<Elemwise>(id, compute, out);
        }
        r.fail("no scalar op is named " + name);
      });
  add_codec<DimShuffle>(
      "dimshuffle", [](const DimShuffle& op, Writer& w) { w.ints(op.pattern()); },
      [](Reader& r, std::span<const Var> in) -> std::shared_ptr<const Op> {
        return std::make_shared<DimShuffle>(r.ints(), input_ndim(r, in));
      });
  add_codec<Reduce>(
      "reduce",
      [](const Reduce& op, Writer& w) {
        w.u8(static_cast<uint8_t>(op.kind()));
        w.ints(op.axes());
        w.boolean(op.keepdims());
      },
      [](Reader& r, std::span<const Var> in) -> std::shared_ptr<const Op> {
        const uint8_t kind = r.u8();
        if (kind > static_cast<uint8_t>(ReduceKind::Any)) r.fail("a reduction kind is wrong");
        std::vector<int> axes = r.ints();
        const bool keepdims = r.boolean();
        return std::make_shared<Reduce>(static_cast<ReduceKind>(kind), std::move(axes), keepdims,
                                        input_ndim(r, in));
      });
  add_codec<Argmax>(
      "argmax",
      [](const Argmax& op, Writer& w) {
        w.boolean(op.is_min());
        w.boolean(op.axis().has_value());
        w.i64(op.axis().value_or(0));
        w.boolean(op.props().ends_with(",keepdims"));
      },
      [](Reader& r, std::span<const Var> in) -> std::shared_ptr<const Op> {
        const bool is_min = r.boolean(), has_axis = r.boolean();
        const int axis = r.int32();
        const bool keepdims = r.boolean();
        return std::make_shared<Argmax>(is_min, has_axis ? std::optional<int>(axis) : std::nullopt,
                                        keepdims, input_ndim(r, in));
      });
  add_plain_codec<Dot>("dot");
  add_plain_codec<BatchedDot>("batched_dot");
  add_plain_codec<Ger>("ger");
  add_codec<TensorDot>(
      "tensordot",
      [](const TensorDot& op, Writer& w) {
        w.ints(op.axes_a());
        w.ints(op.axes_b());
        w.str(op.name());
      },
      [](Reader& r, std::span<const Var> in) -> std::shared_ptr<const Op> {
        std::vector<int> a = r.ints(), b = r.ints();
        std::string label = r.str();
        return std::make_shared<TensorDot>(std::move(a), std::move(b), input_ndim(r, in),
                                           input_ndim(r, in, 1), std::move(label));
      });
  add_codec<Gemm>(
      "gemm", [](const Gemm& op, Writer& w) { w.boolean(op.has_z()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Gemm>(r.boolean()); });
  add_codec<Gemv>(
      "gemv", [](const Gemv& op, Writer& w) { w.boolean(op.has_z()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Gemv>(r.boolean()); });
  add_codec<Subtensor>(
      "subtensor", [](const Subtensor& op, Writer& w) { write_index_list(w, op.index_list()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Subtensor>(read_index_list(r)); });
  add_codec<IncSubtensor>(
      "inc_subtensor",
      [](const IncSubtensor& op, Writer& w) {
        write_index_list(w, op.index_list());
        w.boolean(op.is_set());
      },
      [](Reader& r, std::span<const Var>) {
        IndexList list = read_index_list(r);
        return std::make_shared<IncSubtensor>(std::move(list), r.boolean());
      });
  add_plain_codec<AdvancedSubtensor1>("advanced_subtensor1");
  add_codec<AdvancedIncSubtensor1>(
      "advanced_inc_subtensor1", [](const AdvancedIncSubtensor1& op, Writer& w) { w.boolean(op.is_set()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<AdvancedIncSubtensor1>(r.boolean()); });
}

}  // namespace theon::detail
