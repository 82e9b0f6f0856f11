// GraphPlan -> C++: every compute step as a loop nest over constant shapes. Element-wise
// steps print their program through emit_util's emit_element (the MATH column of
// scalar_ops.def, as the fused-kernel emitter), so the two tiers compute alike;
// reductions accumulate as reduce_kernel.cpp does (float sums and products in double,
// integer ones in int64 with wrap-around); products accumulate in their own dtype, as
// BLAS does.
#include "backend/cgen/graph_emitter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "backend/cgen/cgen.hpp"
#include "backend/cgen/emit_util.hpp"
#include "ops/blas.hpp"
#include "ops/fused.hpp"
#include "ops/fused_reduce.hpp"
#include "ops/reduce.hpp"
#include "ops/shape_ops.hpp"

namespace theon::detail::cgen {
namespace {

bool is_real_or_bool(DType d) { return !is_complex(d); }

// The program of an element-wise step: a fused node's own, or one instruction.
FusedProgram program_of(const ApplyNode& node) {
  if (auto* f = dynamic_cast<const FusedElemwise*>(&node.op())) return f->program();
  const auto& e = dynamic_cast<const Elemwise&>(node.op());
  FusedProgram p;
  std::vector<int> args;
  for (const Var& in : node.inputs) {
    args.push_back(p.n_inputs());
    p.input_dtypes.push_back(in.dtype());
  }
  p.instrs.push_back({e.scalar_op(), e.compute_dtype(), e.out_dtype(), args});
  p.outputs.push_back(p.n_inputs());
  return p;
}

bool is_elementwise(const ApplyNode& node) {
  return dynamic_cast<const FusedElemwise*>(&node.op()) ||
         dynamic_cast<const Elemwise*>(&node.op());
}

// A C literal of element i of a contiguous array.
std::string literal_at(const NDArray& a, int64_t i) {
  return visit_dtype(a.dtype(), [&](auto tag) -> std::string {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return a.data<bool>()[i] ? "true" : "false";
    } else if constexpr (std::is_floating_point_v<T>) {
      const double v = a.data<T>()[i];
      if (std::isnan(v)) return "__builtin_nan(\"\")";
      if (std::isinf(v)) return v > 0 ? "__builtin_inf()" : "-__builtin_inf()";
      char text[64];
      std::snprintf(text, sizeof text, "%a", v);
      return std::string(text) + (std::is_same_v<T, float> ? "f" : "");
    } else if constexpr (std::is_integral_v<T>) {
      const long long v = static_cast<long long>(a.data<T>()[i]);
      if (v == std::numeric_limits<long long>::min()) return "(-9223372036854775807LL - 1)";
      return std::to_string(v) + "LL";
    } else {
      THEON_ASSERT(false) << "cgen: no literal for " << dtype_name(a.dtype());
      return "";
    }
  });
}

class Writer {
 public:
  explicit Writer(const GraphPlan& plan) : plan_(plan) {}

  std::string run() {
    std::set<ScalarOpId> used;
    for (const auto& step : plan_.steps) {
      if (is_elementwise(*step.node))
        for (const auto& in : program_of(*step.node).instrs) used.insert(in.op);
      if (auto* r = dynamic_cast<const FusedReduce*>(&step.node->op()))
        for (const auto& in : r->program().instrs) used.insert(in.op);
    }
    os_ << "typedef signed char theon_i8;\ntypedef unsigned char theon_u8;\n";
    emit_op_templates(os_, used);
    os_ << "extern \"C\" __attribute__((visibility(\"default\"))) void " << kGraphSymbol
        << "(void* const* p) {\n";
    declare_roots();
    for (const auto& step : plan_.steps) {
      os_ << "  {  // " << step.node->op().name() << "\n";
      emit_step(step);
      os_ << "  }\n";
    }
    os_ << "}\n";
    return os_.str();
  }

 private:
  const SlotLayout& layout(int slot) const { return plan_.slots[slot]; }
  const char* type_of(int slot) const { return c_type(layout(slot).dtype); }

  // Each root buffer once: a pointer into p[], or a local copy of a small constant.
  void declare_roots() {
    std::vector<char> used(plan_.slots.size(), 0);
    for (const auto& step : plan_.steps) {
      for (int s : step.in) used[layout(s).root] = 1;
      for (int s : step.out) used[layout(s).root] = 1;
    }
    for (size_t r = 0; r < used.size(); ++r) {
      if (!used[r]) continue;
      const SlotLayout& l = plan_.slots[r];
      const char* t = c_type(l.dtype);
      if (l.local) {
        const std::string v = tag("v", static_cast<long>(r));
        os_ << "  " << t << " " << v << "[" << shape_size(l.shape) << "];\n  __builtin_memcpy("
            << v << ", p[" << r << "], sizeof " << v << ");\n";
      } else {
        os_ << "  " << t << "* const " << tag("v", static_cast<long>(r)) << " = static_cast<" << t
            << "*>(p[" << r << "]);\n";
      }
    }
  }

  // Slot `slot`'s element at the index expressions `idx` (one per dimension; length-1
  // dimensions contribute nothing).
  std::string at(int slot, const std::vector<std::string>& idx) const {
    const SlotLayout& l = layout(slot);
    std::string e = tag("v", l.root) + "[" + std::to_string(l.offset);
    for (size_t d = 0; d < idx.size(); ++d) {
      if (l.shape[d] == 1 || l.strides[d] == 0) continue;
      e.append(" + (").append(idx[d]).append(") * ").append(std::to_string(l.strides[d]));
    }
    return e + "]";
  }

  // Opens a loop per dimension of `shape` (none for length 1); returns the index names.
  std::vector<std::string> open_loops(const Shape& shape, const char* name) {
    std::vector<std::string> idx;
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
      if (shape[d] == 1) {
        idx.push_back("0");
        continue;
      }
      const std::string i = tag(name, d);
      os_ << "  for (long " << i << " = 0; " << i << " < " << shape[d] << "; ++" << i << ")\n";
      idx.push_back(i);
    }
    os_ << "  {\n";
    return idx;
  }
  void close_loops() { os_ << "  }\n"; }

  void emit_step(const VM::NodeSlots& step) {
    const ApplyNode& node = *step.node;
    const Op& op = node.op();
    if (is_elementwise(node)) return elementwise(step, program_of(node));
    if (auto* r = dynamic_cast<const Reduce*>(&op)) return reduce(step, *r);
    if (auto* r = dynamic_cast<const FusedReduce*>(&op)) return reduce(step, *r);
    if (dynamic_cast<const Dot*>(&op)) return product(step, 0, 1, -1, -1, -1);
    if (auto* g = dynamic_cast<const Gemm*>(&op)) return product(step, 0, 1, 2, g->has_z() ? 3 : -1, 4);
    if (auto* g = dynamic_cast<const Gemv*>(&op)) return product(step, 0, 1, 2, g->has_z() ? 3 : -1, 4);
    if (dynamic_cast<const Ger*>(&op)) return ger(step);
    if (auto* j = dynamic_cast<const Join*>(&op)) return join(step, j->axis());
    if (dynamic_cast<const MakeVector*>(&op)) return make_vector(step);
    if (dynamic_cast<const Alloc*>(&op)) return alloc(step);
    if (dynamic_cast<const ShapeI*>(&op) || dynamic_cast<const ShapeOp*>(&op)) return recorded(step);
    THEON_ASSERT(false) << "cgen: no graph code for " << op.name();
  }

  void elementwise(const VM::NodeSlots& step, const FusedProgram& program) {
    const auto idx = open_loops(layout(step.out[0]).shape, "i");
    emit_element(
        os_, program, "    ", [&](int k) { return at(step.in[k], idx); },
        [&](size_t j) { return at(step.out[j], idx); });
    close_loops();
  }

  // A reduction of slot x (Reduce), or of a program's one output over the broadcast
  // shape of its inputs (FusedReduce: the element-wise value is computed in the loop).
  void reduce(const VM::NodeSlots& step, const Reduce& r) {
    const SlotLayout& lx = layout(step.in[0]);
    reduce(step, r.kind(), r.axes(), r.keepdims(), lx.shape, lx.dtype, nullptr);
  }
  void reduce(const VM::NodeSlots& step, const FusedReduce& r) {
    Shape shape(layout(step.in[0]).shape.size(), 1);
    for (int in : step.in)
      for (size_t d = 0; d < shape.size(); ++d) shape[d] = std::max(shape[d], layout(in).shape[d]);
    const FusedProgram& p = r.program();
    reduce(step, r.kind(), r.axes(), r.keepdims(), shape, p.register_dtype(p.outputs[0]), &p);
  }
  void reduce(const VM::NodeSlots& step, ReduceKind kind, const std::vector<int>& axes, bool keepdims,
              const Shape& x_shape, DType in_dtype, const FusedProgram* program) {
    const int out = step.out[0];
    const bool is_float = is_inexact(in_dtype);
    std::string acc_type, identity, combine;
    switch (kind) {
      case ReduceKind::Sum:
      case ReduceKind::Prod: {
        const bool sum = kind == ReduceKind::Sum;
        acc_type = is_float ? "double" : "long";
        identity = sum ? "0" : "1";
        combine = is_float ? (sum ? "acc + v" : "acc * v")
                           : (sum ? "(long)((unsigned long)acc + (unsigned long)v)"
                                  : "(long)((unsigned long)acc * (unsigned long)v)");
        break;
      }
      case ReduceKind::Max:
      case ReduceKind::Min: {
        const bool max = kind == ReduceKind::Max;
        acc_type = c_type(in_dtype);
        identity = max ? "-__builtin_inf()" : "__builtin_inf()";  // floats only (can_emit_step)
        combine = max ? "(v > acc || v != v) ? v : acc" : "(v < acc || v != v) ? v : acc";
        break;
      }
      case ReduceKind::All:
        acc_type = "bool", identity = "true", combine = "acc && v";
        break;
      case ReduceKind::Any:
        acc_type = "bool", identity = "false", combine = "acc || v";
        break;
    }
    // Outer loops over the kept axes, inner ones over the reduced axes.
    std::vector<char> reduced(x_shape.size(), 0);
    for (int a : axes) reduced[a] = 1;
    Shape outer = x_shape, inner = x_shape;
    for (size_t d = 0; d < x_shape.size(); ++d) (reduced[d] ? outer[d] : inner[d]) = 1;
    const auto o = open_loops(outer, "o");
    os_ << "    " << acc_type << " acc = " << identity << ";\n";
    const auto i = open_loops(inner, "i");
    std::vector<std::string> idx(x_shape.size());
    for (size_t d = 0; d < idx.size(); ++d) idx[d] = reduced[d] ? i[d] : o[d];
    if (program) {
      os_ << "    " << c_type(in_dtype) << " e0;\n";
      emit_element(
          os_, *program, "    ", [&](int k) { return at(step.in[k], idx); },
          [](size_t) { return tag("e", 0); });
    }
    const std::string value = program ? tag("e", 0) : at(step.in[0], idx);
    os_ << "    const " << acc_type << " v = static_cast<" << acc_type << ">(" << value << ");\n"
        << "    acc = " << combine << ";\n";
    close_loops();
    std::vector<std::string> out_idx;
    for (size_t d = 0; d < idx.size(); ++d)
      if (!reduced[d] || keepdims) out_idx.push_back(reduced[d] ? "0" : o[d]);
    os_ << "    " << at(out, out_idx) << " = static_cast<" << type_of(out) << ">(acc);\n";
    close_loops();
  }

  // out = alpha * dot(a, b) + beta * z, any of alpha, z, beta absent (-1). a and b are
  // vectors or matrices; z is broadcast to the output.
  void product(const VM::NodeSlots& step, int ia, int ib, int ialpha, int iz, int ibeta) {
    const int a = step.in[ia], b = step.in[ib], out = step.out[0];
    const SlotLayout &la = layout(a), &lb = layout(b), &lo = layout(out);
    const char* t = type_of(out);
    const int64_t n_inner = la.shape.back();
    const auto o = open_loops(lo.shape, "o");
    // Output index names: (i, j) for matrix-matrix, (i) or (j) for matrix-vector or
    // vector-matrix, none for vector-vector.
    std::string i = "0", j = "0";
    if (la.shape.size() == 2) i = o[0];
    if (lb.shape.size() == 2) j = o.back();
    os_ << "    " << t << " acc = 0;\n    for (long k = 0; k < " << n_inner << "; ++k)\n"
        << "      acc += " << at(a, la.shape.size() == 2 ? std::vector<std::string>{i, "k"} : std::vector<std::string>{"k"})
        << " * " << at(b, lb.shape.size() == 2 ? std::vector<std::string>{"k", j} : std::vector<std::string>{"k"})
        << ";\n";
    std::string value = "acc";
    if (ialpha >= 0) value = at(step.in[ialpha], {}) + " * acc";
    if (iz >= 0) {
      const int z = step.in[iz];
      std::vector<std::string> zi(o.end() - static_cast<long>(layout(z).shape.size()), o.end());
      value += " + " + at(step.in[ibeta], {}) + " * " + at(z, zi);
    }
    os_ << "    " << at(out, o) << " = " << value << ";\n";
    close_loops();
  }

  // out = A + alpha * outer(x, y), A broadcast. Inputs: A, alpha, x, y.
  void ger(const VM::NodeSlots& step) {
    const auto o = open_loops(layout(step.out[0]).shape, "o");
    std::vector<std::string> ai(o.end() - static_cast<long>(layout(step.in[0]).shape.size()), o.end());
    os_ << "    " << at(step.out[0], o) << " = " << at(step.in[0], ai) << " + " << at(step.in[1], {})
        << " * " << at(step.in[2], {o[0]}) << " * " << at(step.in[3], {o[1]}) << ";\n";
    close_loops();
  }

  void join(const VM::NodeSlots& step, int axis) {
    int64_t start = 0;
    for (int in : step.in) {
      const auto idx = open_loops(layout(in).shape, "i");
      std::vector<std::string> out_idx = idx;
      out_idx[axis] = idx[axis];
      out_idx[axis].append(" + ").append(std::to_string(start));
      os_ << "    " << at(step.out[0], out_idx) << " = " << at(in, idx) << ";\n";
      close_loops();
      start += layout(in).shape[axis];
    }
  }

  void make_vector(const VM::NodeSlots& step) {
    for (size_t k = 0; k < step.in.size(); ++k)
      os_ << "    " << at(step.out[0], {std::to_string(k)}) << " = static_cast<" << type_of(step.out[0])
          << ">(" << at(step.in[k], {}) << ");\n";
  }

  // The value broadcast to the output, left-padded. Inputs: value, then the lengths.
  void alloc(const VM::NodeSlots& step) {
    const auto o = open_loops(layout(step.out[0]).shape, "o");
    std::vector<std::string> vi(o.end() - static_cast<long>(layout(step.in[0]).shape.size()), o.end());
    os_ << "    " << at(step.out[0], o) << " = static_cast<" << type_of(step.out[0]) << ">("
        << at(step.in[0], vi) << ");\n";
    close_loops();
  }

  // Shapes are fixed by the plan: shape ops write the values recorded.
  void recorded(const VM::NodeSlots& step) {
    const NDArray value = plan_.recorded[step.out[0]].contiguous();
    for (int64_t k = 0; k < value.size(); ++k) {
      std::vector<std::string> idx;
      if (value.ndim() == 1) idx.push_back(std::to_string(k));
      os_ << "    " << at(step.out[0], idx) << " = " << literal_at(value, k) << ";\n";
    }
  }

  const GraphPlan& plan_;
  std::ostringstream os_;
};

}  // namespace

bool can_emit_step(const ApplyNode& node) {
  const Op& op = node.op();
  for (const Var& v : node.inputs)
    if (!is_real_or_bool(v.dtype())) return false;
  for (int j = 0; j < node.n_outputs(); ++j)
    if (!is_real_or_bool(node.output(j).dtype())) return false;
  if (is_elementwise(node)) {
    for (const Var& in : node.inputs)
      if (in.ndim() != node.output(0).ndim()) return false;
    return can_emit(program_of(node));
  }
  // Integer max and min would need the type's limits as identities: left to the
  // interpreter.
  auto reducible = [](ReduceKind kind, DType d) {
    return !(kind == ReduceKind::Max || kind == ReduceKind::Min) || is_inexact(d);
  };
  if (auto* r = dynamic_cast<const Reduce*>(&op)) return reducible(r->kind(), node.inputs[0].dtype());
  if (auto* r = dynamic_cast<const FusedReduce*>(&op)) {
    const FusedProgram& p = r->program();
    for (const Var& in : node.inputs)
      if (in.ndim() != node.inputs[0].ndim()) return false;
    return can_emit(p) && reducible(r->kind(), p.register_dtype(p.outputs[0]));
  }
  if (dynamic_cast<const Dot*>(&op) || dynamic_cast<const Gemm*>(&op) ||
      dynamic_cast<const Gemv*>(&op) || dynamic_cast<const Ger*>(&op))
    return is_inexact(node.output(0).dtype());
  return dynamic_cast<const Join*>(&op) || dynamic_cast<const MakeVector*>(&op) ||
         dynamic_cast<const Alloc*>(&op) || dynamic_cast<const ShapeI*>(&op) ||
         dynamic_cast<const ShapeOp*>(&op);
}

std::string emit_graph(const GraphPlan& plan) { return Writer(plan).run(); }

}  // namespace theon::detail::cgen
