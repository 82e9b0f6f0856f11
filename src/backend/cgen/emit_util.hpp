// Pieces of C++ text shared by the two emitters: the fused-kernel emitter (emitter.cpp)
// and the whole-graph emitter (graph_emitter.cpp). A scalar op becomes a function
// template `op_<name>` whose body is its MATH column of scalar_ops.def; a FusedProgram
// becomes straight-line code over registers r0, r1, ...
#pragma once

#include <ostream>
#include <set>
#include <string>

#include "ops/fused_program.hpp"

namespace theon::detail::cgen {

// The C type of a real or bool dtype.
const char* c_type(DType d);
// prefix + number, appended (GCC 12 warns falsely about "r" + std::to_string(r)).
std::string tag(const char* prefix, long number);
// The name of register r.
std::string reg(int r);
// The value of one instruction, converted to its register's dtype, as an expression
// over the registers it reads.
std::string instr_value(const FusedProgram& p, const FusedProgram::Instr& in);
// One `op_<name>` template per scalar op in `used`.
void emit_op_templates(std::ostream& os, const std::set<ScalarOpId>& used);

// One element of a program: loads, the instructions, stores. `load(k)` and `store(j)`
// give the address expressions of input k and output j.
template <class Load, class Store>
void emit_element(std::ostream& os, const FusedProgram& p, const char* indent, Load load,
                  Store store) {
  for (int k = 0; k < p.n_inputs(); ++k)
    os << indent << "const " << c_type(p.input_dtypes[k]) << " " << reg(k) << " = " << load(k)
       << ";\n";
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const int r = p.n_inputs() + static_cast<int>(i);
    os << indent << "const " << c_type(p.instrs[i].out) << " " << reg(r) << " = "
       << instr_value(p, p.instrs[i]) << ";\n";
  }
  for (size_t j = 0; j < p.outputs.size(); ++j)
    os << indent << store(j) << " = " << reg(p.outputs[j]) << ";\n";
}

}  // namespace theon::detail::cgen
