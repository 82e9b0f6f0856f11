// Codecs of the linear-algebra ops and the extra ops (sort, cumsum, repeat, roll...).
// Their classes are private to their files: each is rebuilt through the public function
// that makes it, from parameters read off its props (the loader checks the result).
#include "ops/linalg/linalg_util.hpp"
#include "ops/nnet/logsumexp.hpp"
#include "serialize/codec_registry.hpp"
#include "theon/extra_ops.hpp"
#include "theon/linalg.hpp"

namespace theon::detail {
namespace {

namespace T = theon::tensor;

void need_inputs(Reader& r, std::span<const Var> in, size_t n, const char* op) {
  if (in.size() != n) r.fail(std::string(op) + " has " + std::to_string(in.size()) + " inputs");
}

// An op with one int parameter shown as "key=<int>" in its props.
void add_int_param_codec(const std::string& op_name, const std::string& key,
                         std::function<Var(std::span<const Var>, int)> build, size_t n_inputs) {
  add_rebuild_codec(
      op_name,
      [=](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, n_inputs, op_name.c_str());
        return build(in, r.int32());
      },
      [=](const Op& op, Writer& w) { w.i64(std::stoi(props_field(op.props(), key))); });
}

// An op with one flag shown as "key=1" / "key=0" in its props.
void add_flag_codec(const std::string& op_name, const std::string& key,
                    std::function<Var(std::span<const Var>, bool)> build) {
  add_rebuild_codec(
      op_name,
      [=](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, op_name.c_str());
        return build(in, r.boolean());
      },
      [=](const Op& op, Writer& w) { w.boolean(props_field(op.props(), key) == "1"); });
}

}  // namespace

void register_codecs_linalg_extra() {
  add_rebuild_codec("matrix_inverse", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "matrix_inverse");
    return T::nlinalg::matrix_inverse(in[0]);
  });
  add_rebuild_codec("det", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "det");
    return T::nlinalg::det(in[0]);
  });
  add_rebuild_codec("eig", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "eig");
    return T::nlinalg::eig(in[0]).first;
  });
  add_rebuild_codec("expm", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "expm");
    return T::slinalg::expm(in[0]);
  });
  add_rebuild_codec(
      "eigh",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, "eigh");
        return T::nlinalg::eigh(in[0], r.str()).first;
      },
      [](const Op& op, Writer& w) { w.str(props_field(op.props(), "UPLO")); });
  add_rebuild_codec(
      "qr",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, "qr");
        return T::nlinalg::qr(in[0], r.str())[0];
      },
      [](const Op& op, Writer& w) { w.str(props_field(op.props(), "mode")); });
  add_rebuild_codec(
      "svd",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, "svd");
        const bool full = r.boolean();
        return T::nlinalg::svd(in[0], full, r.boolean())[0];
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        w.boolean(props_field(p, "full_matrices").starts_with("1"));
        w.boolean(props_field(p, "compute_uv").starts_with("1"));
      });
  add_rebuild_codec("pinv", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "pinv");
    return T::nlinalg::pinv(in[0]);
  });
  add_rebuild_codec(
      "solve",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 2, "solve");
        const std::string assume_a = r.str();
        const bool lower = r.boolean(), unit_diagonal = r.boolean();
        if (unit_diagonal || assume_a.find("triangular") != std::string::npos)
          return T::slinalg::solve_triangular(in[0], in[1], 0, lower, unit_diagonal);
        return T::slinalg::solve(in[0], in[1], assume_a, lower);
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        w.str(props_field(p, "assume_a").substr(0, props_field(p, "assume_a").find(',')));
        w.boolean(props_field(p, "lower").starts_with("1"));
        w.boolean(props_field(p, "unit_diagonal").starts_with("1"));
      });
  add_rebuild_codec(
      "extract_diag",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, "extract_diag");
        const int offset = r.int32(), axis1 = r.int32();
        return T::nlinalg::diagonal(in[0], offset, axis1, r.int32());
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        for (const char* key : {"offset", "axis1", "axis2"}) w.i64(std::stoi(props_field(p, key)));
      });
  add_int_param_codec("alloc_diag", "offset",
                      [](std::span<const Var> in, int offset) { return T::nlinalg::alloc_diag(in[0], offset); }, 1);
  add_rebuild_codec("specify_shape", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 2, "specify_shape");
    return T::specify_shape(in[0], ShapeArg(in[1]));
  });
  add_rebuild_codec("fill_diagonal", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 3, "fill_diagonal");
    return T::fill_diagonal_offset(in[0], in[1], in[2]);
  });
  add_rebuild_codec(
      "searchsorted",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 2, "searchsorted");
        return T::searchsorted(in[0], in[1], r.str());
      },
      [](const Op& op, Writer& w) { w.str(op.props()); });
  add_rebuild_codec(
      "logsumexp",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 1, "logsumexp");
        std::vector<int> axes = r.ints();
        return logsumexp(in[0], std::move(axes), r.boolean(), Loc());
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();  // "axes=0,1,keepdims"
        w.ints(parse_int_tuple(p.substr(0, p.find("keepdims"))));
        w.boolean(p.ends_with("keepdims"));
      });
  add_flag_codec("cholesky", "lower", [](std::span<const Var> in, bool lower) {
    return T::slinalg::cholesky(in[0], lower);
  });
  add_int_param_codec("sort", "axis", [](std::span<const Var> in, int axis) { return T::sort(in[0], axis); }, 1);
  add_int_param_codec("argsort", "axis", [](std::span<const Var> in, int axis) { return T::argsort(in[0], axis); }, 1);
  add_int_param_codec("roll", "axis", [](std::span<const Var> in, int axis) { return T::roll(in[0], in[1], axis); }, 2);
  add_int_param_codec("repeat", "axis", [](std::span<const Var> in, int axis) { return T::repeat(in[0], in[1], axis); }, 2);
  add_int_param_codec("cumsum", "axis", [](std::span<const Var> in, int axis) { return T::cumsum(in[0], axis); }, 1);
  add_int_param_codec("tril", "k", [](std::span<const Var> in, int k) { return tril_at(in[0], k, Loc()); }, 1);
  add_int_param_codec("triu", "k", [](std::span<const Var> in, int k) { return triu_at(in[0], k, Loc()); }, 1);
  add_rebuild_codec(
      "to_one_hot",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 2, "to_one_hot");
        return T::to_one_hot(in[0], in[1], dtype_from_name(r.str()));
      },
      [](const Op& op, Writer& w) { w.str(op.props()); });
  // Inputs: x, minlength, then the weights when given.
  add_rebuild_codec("bincount", [](Reader& r, std::span<const Var> in) {
    if (in.size() != 2 && in.size() != 3) r.fail("bincount has " + std::to_string(in.size()) + " inputs");
    return T::bincount(in[0], in.size() == 3 ? std::optional<VarArg>(in[2]) : std::nullopt, in[1]);
  });
  // nonzero(a) indexes the rows of one (ndim, count) nonzero node: that node's output.
  add_rebuild_codec("nonzero", [](Reader& r, std::span<const Var> in) {
    need_inputs(r, in, 1, "nonzero");
    return T::nonzero(in[0])[0].owner()->inputs[0];
  });
  // Props "<n>,C" or "<n>,F"; inputs: indices, dims.
  add_rebuild_codec(
      "unravel_index",
      [](Reader& r, std::span<const Var> in) {
        need_inputs(r, in, 2, "unravel_index");
        return T::unravel_index(in[0], ShapeArg(in[1]), r.boolean() ? 'F' : 'C')[0];
      },
      [](const Op& op, Writer& w) { w.boolean(op.props().ends_with(",F")); });
  // Props "<mode: 0 raise, 1 wrap, 2 clip>,C|F"; inputs: the coordinate arrays, dims.
  add_rebuild_codec(
      "ravel_multi_index",
      [](Reader& r, std::span<const Var> in) {
        if (in.size() < 2) r.fail("ravel_multi_index has " + std::to_string(in.size()) + " inputs");
        const int mode = r.int32();
        if (mode < 0 || mode > 2) r.fail("ravel_multi_index has mode " + std::to_string(mode));
        const char order = r.boolean() ? 'F' : 'C';
        const std::vector<Var> coordinates(in.begin(), in.end() - 1);
        return T::ravel_multi_index(coordinates, ShapeArg(in.back()),
                                    mode == 0 ? "raise" : mode == 1 ? "wrap" : "clip", order, Loc());
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        w.i64(std::stoi(p));
        w.boolean(p.ends_with(",F"));
      });
  add_int_param_codec("cumprod", "axis", [](std::span<const Var> in, int axis) { return T::cumprod(in[0], axis); }, 1);
}

}  // namespace theon::detail
