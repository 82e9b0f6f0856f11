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

std::string op_text(const FusedProgram::Instr& instr, std::span<const std::string> args) {
  const ScalarOpInfo& info = scalar_op_info(instr.op);
  std::string s;
  if (instr.op == ScalarOpId::Identity) {
    s.append("cast{").append(dtype_name(instr.out)).append("}(").append(args[0]).append(")");
  } else if (!info.is_infix()) {
    s.append(info.print).append("(").append(join(args, ", ")).append(")");
  } else if (args.size() == 1) {
    s.append(info.print).append(args[0]);
  } else {
    s.append("(").append(join(args, std::string(" ").append(info.print).append(" "))).append(")");
  }
  return s;
}

// The outputs as expressions of `inputs` (i0, i1, ... when empty); a register read more
// than once is named (t3) and defined first, so the text grows linearly with the program. An instruction that computes in
// another dtype than its operands' says so ([float32]); with the input dtypes that
// makes the text determine the program, which merge relies on.
std::string program_text(const FusedProgram& p, std::span<const std::string> inputs = {}) {
  const int n_in = p.n_inputs();
  const int n_regs = n_in + static_cast<int>(p.instrs.size());
  std::vector<int> uses(n_regs, 0);
  for (const auto& instr : p.instrs)
    for (int a : instr.args) ++uses[a];
  for (int r : p.outputs) ++uses[r];
  std::vector<std::string> text(n_regs);
  for (int r = 0; r < n_in; ++r)
    text[r] = inputs.empty() ? std::string("i").append(std::to_string(r)) : inputs[r];
  std::string defs;
  for (int i = 0; i < static_cast<int>(p.instrs.size()); ++i) {
    const auto& instr = p.instrs[i];
    std::vector<std::string> args;
    bool annotate = false;
    for (size_t k = 0; k < instr.args.size(); ++k) {
      args.push_back(text[instr.args[k]]);
      if (reads_arg(instr.op, static_cast<int>(k)) && instr.op != ScalarOpId::Identity &&
          p.register_dtype(instr.args[k]) != instr.compute)
        annotate = true;
    }
    std::string s = op_text(instr, args);
    if (annotate) s.append("[").append(dtype_name(instr.compute)).append("]");
    const int r = n_in + i;
    if (uses[r] > 1) {
      text[r] = std::string("t").append(std::to_string(r));
      defs.append(text[r]).append(" = ").append(s).append("; ");
    } else {
      text[r] = std::move(s);
    }
  }
  std::vector<std::string> outs;
  for (int r : p.outputs) outs.push_back(text[r]);
  return defs.append(join(outs, ", "));
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
  plan();
}

std::vector<TensorType> FusedElemwise::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(static_cast<int>(inputs.size()) == program_.n_inputs())
      << "fused: " << inputs.size() << " inputs for a program of " << program_.n_inputs();
  THEON_ASSERT(!inputs.empty()) << "fused: a program without inputs";
  const int nd = inputs[0].ndim();
  BroadcastPattern pattern(nd, true);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Var& v = inputs[k];
    THEON_ASSERT(v.ndim() == nd && v.dtype() == program_.input_dtypes[k])
        << "fused: input " << k << " is " << v.type().str() << describe_inputs(inputs);
    for (int d = 0; d < nd; ++d) pattern[d] = pattern[d] && v.broadcastable()[d];
  }
  std::vector<TensorType> types;
  for (int r : program_.outputs) types.emplace_back(program_.register_dtype(r), pattern);
  return types;
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
