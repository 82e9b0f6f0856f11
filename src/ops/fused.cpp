#include "ops/fused.hpp"

#include <memory>

#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

bool reads_arg(ScalarOpId id, int k) {
  if (id == ScalarOpId::Second && k == 0) return false;  // fill(a, b) only takes a's shape
  if (id == ScalarOpId::Switch && k == 0) return false;  // the condition is read as bool
  return true;
}

// "a, b" or "a + b": the operands joined by `separator`.
std::string join(std::span<const std::string> args, const std::string& separator) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s.append(separator);
    s.append(args[i]);
  }
  return s;
}

// Prints a program's outputs as expressions, appending to one string: nested
// expressions are written in place rather than built and copied level by level, so the
// text costs time linear in its length (an n-ary sum folds into a chain of n steps).
class ProgramPrinter {
 public:
  ProgramPrinter(const FusedProgram& p, std::span<const std::string> inputs) : p_(p), inputs_(inputs) {
    uses_.assign(p.n_inputs() + p.instrs.size(), 0);
    for (const auto& instr : p.instrs)
      for (int a : instr.args) ++uses_[a];
    for (int r : p.outputs) ++uses_[r];
  }

  // A register read more than once is named (t3) and defined first. An instruction that
  // computes in another dtype than its operands' says so ([float32]); with the input
  // dtypes that makes the text determine the program, which merge relies on.
  std::string text() {
    for (int i = 0; i < static_cast<int>(p_.instrs.size()); ++i) {
      const int r = p_.n_inputs() + i;
      if (uses_[r] < 2) continue;
      name(r);
      out_.append(" = ");
      instr(i);
      out_.append("; ");
    }
    for (size_t k = 0; k < p_.outputs.size(); ++k) {
      if (k) out_.append(", ");
      value(p_.outputs[k]);
    }
    return std::move(out_);
  }

 private:
  void name(int r) {
    if (r >= p_.n_operands() && r < p_.n_inputs()) {  // a draw evaluated in the loop
      const int j = r - p_.n_operands();
      out_.append("uniform{").append(dtype_name(p_.input_dtypes[r])).append("}(");
      if (inputs_.empty()) out_.append("d").append(std::to_string(j));
      else out_.append(inputs_[p_.n_operands() + 2 * j]);
      out_.append(")");
    } else if (r < p_.n_inputs()) {
      if (inputs_.empty()) out_.append("i").append(std::to_string(r));
      else out_.append(inputs_[r]);
    } else {
      out_.append("t").append(std::to_string(r));
    }
  }

  // One piece of the text: a register to print (reg >= 0) or a literal.
  struct Piece {
    int reg = -1;
    std::string_view literal;
  };

  void value(int r) { emit({Piece{r, {}}}); }
  void instr(int i) { emit(pieces(i)); }

  // Appends `start`, expanding each register read once into its expression. An explicit
  // stack, not recursion: a program's expressions can be as deep as its length.
  void emit(std::vector<Piece> start) {
    std::vector<Piece> stack(start.rbegin(), start.rend());
    while (!stack.empty()) {
      const Piece piece = stack.back();
      stack.pop_back();
      if (piece.reg < 0) {
        out_.append(piece.literal);
      } else if (piece.reg < p_.n_inputs() || uses_[piece.reg] > 1) {
        name(piece.reg);
      } else {
        const std::vector<Piece> inner = pieces(piece.reg - p_.n_inputs());
        stack.insert(stack.end(), inner.rbegin(), inner.rend());
      }
    }
  }

  // Instruction i's text, in order: cast{dtype}(a), f(a, b), -a or (a + b), then
  // [compute dtype] where an operand is converted to it.
  std::vector<Piece> pieces(int i) const {
    const auto& in = p_.instrs[i];
    const ScalarOpInfo& info = scalar_op_info(in.op);
    std::vector<Piece> out;
    auto literal = [&](std::string_view text) { out.push_back({-1, text}); };
    auto operands = [&](std::span<const std::string_view> separator) {
      for (size_t k = 0; k < in.args.size(); ++k) {
        if (k)
          for (std::string_view part : separator) literal(part);
        out.push_back({in.args[k], {}});
      }
    };
    if (in.op == ScalarOpId::Identity) {
      literal("cast{");
      literal(dtype_name(in.out));
      literal("}(");
      out.push_back({in.args[0], {}});
      literal(")");
    } else if (!info.is_infix()) {
      literal(info.print);
      literal("(");
      const std::string_view comma[] = {", "};
      operands(comma);
      literal(")");
    } else if (in.args.size() == 1) {
      literal(info.print);
      out.push_back({in.args[0], {}});
    } else {
      literal("(");
      const std::string_view infix[] = {" ", info.print, " "};
      operands(infix);
      literal(")");
    }
    bool annotate = false;
    for (size_t k = 0; k < in.args.size(); ++k)
      annotate = annotate || (reads_arg(in.op, static_cast<int>(k)) && in.op != ScalarOpId::Identity &&
                              p_.register_dtype(in.args[k]) != in.compute);
    if (annotate) {
      literal("[");
      literal(dtype_name(in.compute));
      literal("]");
    }
    return out;
  }

  const FusedProgram& p_;
  std::span<const std::string> inputs_;
  std::vector<int> uses_;
  std::string out_;
};

// The outputs as expressions of `inputs` (i0, i1, ... when empty).
std::string program_text(const FusedProgram& p, std::span<const std::string> inputs = {}) {
  return ProgramPrinter(p, inputs).text();
}

}  // namespace

FusedElemwise::FusedElemwise(FusedProgram program, std::vector<Loc> instr_locs)
    : program_(std::move(program)), locs_(std::move(instr_locs)) {
  THEON_ASSERT(locs_.size() == program_.instrs.size())
      << "fused: " << locs_.size() << " locations for " << program_.instrs.size() << " instructions";
  THEON_ASSERT(!program_.outputs.empty()) << "fused: a program without outputs";
  const int n_in = program_.n_inputs();
  for (size_t i = 0; i < program_.instrs.size(); ++i) {
    const auto& instr = program_.instrs[i];
    const int arity = scalar_op_info(instr.op).arity;
    THEON_ASSERT(arity == 0 ? instr.args.size() == 2 : static_cast<int>(instr.args.size()) == arity)
        << "fused: instruction " << i << " (" << scalar_op_info(instr.op).name << ") has "
        << instr.args.size() << " operands";
    for (int a : instr.args)
      THEON_ASSERT(a >= 0 && a < n_in + static_cast<int>(i))
          << "fused: instruction " << i << " reads register " << a << " before it is written";
  }
  text_ = program_text(program_);
  std::vector<std::string> dtypes;
  for (DType d : program_.input_dtypes) dtypes.emplace_back(dtype_name(d));
  props_ = std::string(text_).append(" [").append(join(dtypes, ", ")).append("]");
  for (const auto& d : program_.draws) {
    props_.append(" d(");
    for (bool b : d.pattern) props_.append(b ? "1" : "0");
    props_.append(")");
  }
  plan();
}

std::vector<TensorType> FusedElemwise::make_types(std::span<const Var> inputs) const {
  const int n_operands = program_.n_operands();
  const int n_draws = static_cast<int>(program_.draws.size());
  THEON_ASSERT(static_cast<int>(inputs.size()) == n_operands + 2 * n_draws)
      << "fused: " << inputs.size() << " inputs for a program of " << n_operands << " operands and "
      << n_draws << " draws";
  THEON_ASSERT(!inputs.empty()) << "fused: a program without inputs";
  const int nd = ndim(inputs);
  BroadcastPattern pattern(nd, true);
  for (int k = 0; k < n_operands; ++k) {
    const Var& v = inputs[k];
    THEON_ASSERT(v.ndim() == nd && v.dtype() == program_.input_dtypes[k])
        << "fused: input " << k << " is " << v.type().str() << describe_inputs(inputs);
    for (int d = 0; d < nd; ++d) pattern[d] = pattern[d] && v.broadcastable()[d];
  }
  for (int j = 0; j < n_draws; ++j) {
    const Var& state = inputs[n_operands + 2 * j];
    const Var& size = inputs[n_operands + 2 * j + 1];
    const DType d = program_.input_dtypes[n_operands + j];
    THEON_ASSERT(static_cast<int>(program_.draws[j].pattern.size()) == nd && state.dtype() == DType::Int64 &&
                 state.ndim() == 1 && size.ndim() == 1 && is_discrete(size.dtype()) &&
                 (d == DType::Float32 || d == DType::Float64))
        << "fused: draw " << j << " is malformed" << describe_inputs(inputs);
    for (int k = 0; k < nd; ++k) pattern[k] = pattern[k] && program_.draws[j].pattern[k];
  }
  // Element i of a draw is element i of the loop only if the draw has the loop's shape.
  for (const auto& draw : program_.draws)
    THEON_ASSERT(draw.pattern == pattern) << "fused: a draw broadcast in the loop" << describe_inputs(inputs);
  std::vector<TensorType> types;
  for (int r : program_.outputs) types.emplace_back(program_.register_dtype(r), pattern);
  return types;
}

int FusedElemwise::ndim(std::span<const Var> inputs) const {
  return program_.n_operands() > 0 ? inputs[0].ndim() : static_cast<int>(program_.draws[0].pattern.size());
}

// The kernel's expression over the printed arguments: pp of a fused graph reads like
// the expression it computes, fused{(3.0 * sqr(x))}.
std::string FusedElemwise::print(std::span<const std::string> args) const {
  return std::string("fused{").append(program_text(program_, args)).append("}");
}

Vars fused_elemwise(FusedProgram program, std::vector<Loc> instr_locs, Vars inputs, const Loc& loc) {
  return make_apply(std::make_shared<const FusedElemwise>(std::move(program), std::move(instr_locs)),
                    std::move(inputs), loc);
}

}  // namespace theon::detail
