// Codecs of the ops that gradients make and whose classes are private to their op files:
// sort's permute/unpermute, repeat_grad, cumprod_grad, eigh_grad, expm_grad, set_diagonal
// and jacobian_rows (its inner graph nested as a saved graph, as scan's). Each is rebuilt
// by the maker defined next to its class (serialize/private_ops.hpp), from parameters
// read off its props; the loader checks the rebuilt op's name and props.

#include "serialize/codec_registry.hpp"
#include "serialize/graph_sources.hpp"
#include "serialize/private_ops.hpp"

namespace theon::detail {
namespace {

void need_inputs(Reader& r, std::span<const Var> in, size_t n, const std::string& op) {
  if (in.size() != n) r.fail(op + " has " + std::to_string(in.size()) + " inputs, not " + std::to_string(n));
}

// An op whose one parameter is "axis=<int>" in its props.
void add_axis_op_codec(const std::string& op_name, size_t n_inputs, std::function<std::shared_ptr<const Op>(int)> make) {
  add_named_op_codec(
      op_name,
      [=](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, n_inputs, op_name);
        return make(r.int32());
      },
      [](const Op& op, Writer& w) { w.i64(std::stoi(props_field(op.props(), "axis"))); });
}

// The sources (inputs and shared variables, not constants) of the graph of `roots`.
Vars graph_sources(std::span<const Var> roots) {
  return leaves_in_order(roots, [](const Var& v) { return !v.is_constant(); });
}

// The inner graph (row index, row, free inputs) reads the outer graph's own variables (its
// free inputs, the shared variables of the expression): they are saved as externals, each
// as its place among the sources of the node's inputs, so that they load as the outer
// graph's variables (a shared variable stays one). The row index, the inner graph's only
// variable of its own, is saved as -1.
void save_jacobian_rows(const Op& op, Writer& w) {
  const JacobianRowsParts parts = jacobian_rows_parts(op);
  Vars inner{parts.index, parts.row};
  inner.insert(inner.end(), parts.free.begin(), parts.free.end());
  std::vector<Var> externals;
  w.str(serialize(inner, &externals));
  const Vars sources = graph_sources(saving_node_inputs());
  w.i64(static_cast<int64_t>(externals.size()));
  for (const Var& e : externals) {
    int64_t at = -1;
    for (size_t i = 0; i < sources.size() && !e.is(parts.index); ++i)
      if (sources[i].is(e)) at = static_cast<int64_t>(i);
    THEON_CHECK_USER(at >= 0 || e.is(parts.index), SerializeError)
        << "save: jacobian_rows reads " << describe(e) << ", which its inputs do not read";
    w.i64(at);
  }
}

std::shared_ptr<const Op> load_jacobian_rows(Reader& r, std::span<const Var> in) {
  const std::string bytes = r.str();
  const Vars sources = graph_sources(in);
  const int64_t n = r.i64();
  if (n < 1 || n > 1000000) r.fail("a jacobian_rows inner graph has " + std::to_string(n) + " sources");
  Vars externals;
  Var index;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t at = r.i64();
    if (at == -1 && !index.defined()) {
      index = make_variable(TensorType(DType::Int64, {}), "i", Loc());
      externals.push_back(index);
    } else if (at >= 0 && at < static_cast<int64_t>(sources.size())) {
      externals.push_back(sources[static_cast<size_t>(at)]);
    } else {
      r.fail("a jacobian_rows inner variable is missing");
    }
  }
  const LoadedGraph inner = deserialize(bytes, externals, r.what() + ", jacobian rows' inner graph");
  // Node inputs: expr_flat, wrt, then the inner graph's free inputs.
  if (inner.outputs.size() < 2 || in.size() != inner.outputs.size() || !index.defined() ||
      !inner.outputs[0].is(index))
    r.fail("a jacobian_rows node's inputs do not match its inner graph");
  return make_jacobian_rows_op({index, inner.outputs[1], Vars(inner.outputs.begin() + 2, inner.outputs.end())});
}

}  // namespace

void register_codecs_grad_ops() {
  add_axis_op_codec("permute", 2, [](int axis) { return make_permute_op(axis, false); });
  add_axis_op_codec("unpermute", 2, [](int axis) { return make_permute_op(axis, true); });
  add_axis_op_codec("repeat_grad", 3, make_repeat_grad_op);
  add_axis_op_codec("cumprod_grad", 2, make_cumprod_grad_op);
  add_named_op_codec(
      "eigh_grad",
      [](Reader& r, std::span<const Var>) {
        const std::string uplo = r.str();
        if (uplo != "L" && uplo != "U") r.fail("eigh_grad has UPLO '" + uplo + "'");
        return make_eigh_grad_op(uplo[0]);
      },
      [](const Op& op, Writer& w) { w.str(props_field(op.props(), "UPLO")); });
  add_named_op_codec("expm_grad", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 2, "expm_grad");
    return make_expm_grad_op();
  });
  add_named_op_codec(
      "set_diagonal",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 2, "set_diagonal");
        const int offset = r.int32(), axis1 = r.int32();
        return make_set_diagonal_op(offset, axis1, r.int32());
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        for (const char* key : {"offset", "axis1", "axis2"}) w.i64(std::stoi(props_field(p, key)));
      });
  // Its props are its address (each instance owns an inner graph): identity, not checked.
  add_named_op_codec("jacobian_rows", load_jacobian_rows, save_jacobian_rows, /*props_are_identity=*/true);
}

}  // namespace theon::detail
