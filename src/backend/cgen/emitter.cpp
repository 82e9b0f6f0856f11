// FusedProgram -> C++. Each scalar op used becomes a function template whose body is
// the MATH column of scalar_ops.def, stringified, so the interpreter and the generated
// code compute with the same expression; the row function evaluates the program's
// registers element by element, with the interpreter's conversions (operands to the
// compute dtype, the result to the register's dtype).
#include <set>
#include <sstream>

#include "backend/cgen/cgen.hpp"
#include "backend/cgen/emit_util.hpp"
#include "theon/error.hpp"

namespace theon::detail {
extern const char* const kCgenPrelude;     // prelude/mini_std.hpp, embedded at build
extern const char* const kCgenScalarMath;  // kernel/scalar_math.hpp, embedded at build
}  // namespace theon::detail

namespace theon::detail::cgen {
namespace {

struct OpText {
  const char* name;
  const char* math;
};

OpText op_text(ScalarOpId id) {
  switch (id) {
#define THEON_TEXT_ROW(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  case ScalarOpId::NAME: return {#NAME, #MATH};
    THEON_SCALAR_OPS(THEON_TEXT_ROW)
#undef THEON_TEXT_ROW
  }
  THEON_ASSERT(false) << "unknown scalar op " << static_cast<int>(id);
  return {};
}

}  // namespace

const char* c_type(DType d) {
  switch (d) {
    case DType::Bool: return "bool";
    case DType::Int8: return "theon_i8";  // one word, so that theon_i8{} parses
    case DType::Int16: return "short";
    case DType::Int32: return "int";
    case DType::Int64: return "long";
    case DType::UInt8: return "theon_u8";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Complex64:
    case DType::Complex128: break;
  }
  THEON_ASSERT(false) << "cgen: no C type for " << dtype_name(d);
  return "";
}

std::string tag(const char* prefix, long number) {
  std::string s(prefix);
  s.append(std::to_string(number));
  return s;
}
std::string reg(int r) { return tag("r", r); }

namespace {

// Register r read as `want` (the interpreter's convert_element: static_cast, which for
// bool is `!= 0`).
std::string read_as(const FusedProgram& p, int r, DType want) {
  if (p.register_dtype(r) == want) return reg(r);
  return std::string("static_cast<") + c_type(want) + ">(" + reg(r) + ")";
}

std::string call(ScalarOpId id, DType first, DType compute, const std::string& a,
                 const std::string& b, const std::string& c) {
  const std::string t = c_type(compute);
  return std::string("op_") + op_text(id).name + "<" + c_type(first) + ", " + t + ">(" + a + ", " +
         b + ", " + c + ")";
}

}  // namespace

std::string instr_value(const FusedProgram& p, const FusedProgram::Instr& in) {
  const ScalarOpInfo& info = scalar_op_info(in.op);
  const DType c = in.compute;
  const std::string zero = std::string(c_type(c)) + "{}";
  const std::string out = c_type(in.out);
  auto arg = [&](size_t k) { return read_as(p, in.args.at(k), c); };
  std::string value;
  if (info.rule == DTypeRule::Second) {
    value = arg(1);
  } else if (info.rule == DTypeRule::Switch) {
    value = call(in.op, DType::Bool, c, read_as(p, in.args.at(0), DType::Bool), arg(1), arg(2));
  } else if (info.arity == 1) {
    value = call(in.op, c, c, arg(0), zero, zero);
  } else if (info.arity == 3) {
    value = call(in.op, c, c, arg(0), arg(1), arg(2));
  } else if (info.arity == 2) {
    value = call(in.op, c, c, arg(0), arg(1), zero);
  } else {  // n-ary add and mul fold left through the output dtype, as the interpreter
    THEON_ASSERT(in.args.size() >= 2) << "cgen: " << info.name << " with " << in.args.size()
                                      << " operands";
    value = call(in.op, c, c, arg(0), arg(1), zero);
    for (size_t k = 2; k < in.args.size(); ++k) {
      std::string acc = "static_cast<" + out + ">(" + value + ")";
      if (in.out != c) acc = std::string("static_cast<") + c_type(c) + ">(" + acc + ")";
      value = call(in.op, c, c, acc, arg(k), zero);
    }
  }
  return "static_cast<" + out + ">(" + value + ")";
}

namespace {

void emit_comment(std::ostream& os, const FusedProgram& p) {
  os << "// inputs:";
  for (int k = 0; k < p.n_inputs(); ++k) os << " r" << k << ":" << dtype_name(p.input_dtypes[k]);
  os << "\n";
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const auto& in = p.instrs[i];
    os << "// r" << p.n_inputs() + static_cast<int>(i) << " = " << scalar_op_info(in.op).name << "(";
    for (size_t k = 0; k < in.args.size(); ++k) os << (k ? ", r" : "r") << in.args[k];
    os << ")  " << dtype_name(in.compute) << " -> " << dtype_name(in.out) << "\n";
  }
  os << "// outputs:";
  for (int r : p.outputs) os << " r" << r;
  os << "\n";
}

}  // namespace

void emit_op_templates(std::ostream& os, const std::set<ScalarOpId>& used) {
  for (ScalarOpId id : used) {
    const OpText t = op_text(id);
    os << "template <class A, class T>\nstatic inline __attribute__((always_inline)) auto op_"
       << t.name << "(A a, T b, T c) { return " << t.math << "; }\n";
  }
}

bool can_emit(const FusedProgram& program) {
  if (!program.draws.empty()) return false;  // no Philox in the generated code (yet)
  for (int r = 0; r < program.n_inputs() + static_cast<int>(program.instrs.size()); ++r)
    if (is_complex(program.register_dtype(r))) return false;
  for (const auto& in : program.instrs)
    if (is_complex(in.compute)) return false;
  return !program.outputs.empty();
}

std::string emit_kernel(const FusedProgram& p) {
  THEON_ASSERT(can_emit(p)) << "cgen: emit_kernel on a program it cannot emit";
  std::ostringstream os;
  emit_comment(os, p);
  os << "typedef signed char theon_i8;\ntypedef unsigned char theon_u8;\n";
  std::set<ScalarOpId> used;
  for (const auto& in : p.instrs) used.insert(in.op);
  emit_op_templates(os, used);

  const int n_in = p.n_inputs();
  const int n_out = static_cast<int>(p.outputs.size());
  os << "extern \"C\" __attribute__((visibility(\"default\"))) void " << kEntrySymbol
     << "(long n, const void* const* in, const long* in_step, void* const* out,\n"
        "    const long* out_step) {\n"
        "  if (n <= 0) return;\n";
  for (int k = 0; k < n_in; ++k) {
    const char* t = c_type(p.input_dtypes[k]);
    os << "  const " << t << "* const p" << k << " = static_cast<const " << t << "*>(in[" << k
       << "]);\n  const long s" << k << " = in_step[" << k << "];\n";
  }
  for (int j = 0; j < n_out; ++j) {
    const char* t = c_type(p.register_dtype(p.outputs[j]));
    os << "  " << t << "* const o" << j << " = static_cast<" << t << "*>(out[" << j
       << "]);\n  const long t" << j << " = out_step[" << j << "];\n";
  }

  // Contiguous outputs and contiguous or broadcast inputs: blocks of plain arrays, which
  // GCC vectorizes (a broadcast input reads a block-sized copy of its one element).
  os << "  if (true";
  for (int j = 0; j < n_out; ++j) os << " && t" << j << " == 1";
  for (int k = 0; k < n_in; ++k) os << " && (s" << k << " == 0 || s" << k << " == 1)";
  os << ") {\n    constexpr long B = 256;\n    const long fill = n < B ? n : B;\n";
  for (int k = 0; k < n_in; ++k) {
    os << "    alignas(64) " << c_type(p.input_dtypes[k]) << " b" << k << "[B];\n    if (s" << k
       << " == 0)\n      for (long j = 0; j < fill; ++j) b" << k << "[j] = p" << k << "[0];\n";
  }
  os << "    for (long start = 0; start < n; start += B) {\n"
        "      const long m = n - start < B ? n - start : B;\n";
  for (int k = 0; k < n_in; ++k)
    os << "      const " << c_type(p.input_dtypes[k]) << "* const q" << k << " = s" << k << " ? p"
       << k << " + start : b" << k << ";\n";
  for (int j = 0; j < n_out; ++j)
    os << "      " << c_type(p.register_dtype(p.outputs[j])) << "* const w" << j << " = o" << j
       << " + start;\n";
  os << "#pragma omp simd\n      for (long j = 0; j < m; ++j) {\n";
  emit_element(
      os, p, "        ", [](int k) { return tag("q", k) + "[j]"; },
      [](size_t j) { return tag("w", static_cast<long>(j)) + "[j]"; });
  os << "      }\n    }\n    return;\n  }\n";

  os << "  for (long i = 0; i < n; ++i) {\n";
  emit_element(
      os, p, "    ",
      [](int k) { return tag("p", k) + tag("[i * s", k) + "]"; },
      [](size_t j) {
        const long jj = static_cast<long>(j);
        return tag("o", jj) + tag("[i * t", jj) + "]";
      });
  os << "  }\n}\n";
  return os.str();
}

std::string emit_source(const std::string& kernel) {
  std::ostringstream os;
  os << "// A Theon fused element-wise kernel, generated by src/backend/cgen/emitter.cpp.\n"
     << kCgenPrelude << "\n";
  // scalar_math.hpp without its includes, which the prelude replaces.
  std::istringstream math(kCgenScalarMath);
  for (std::string line; std::getline(math, line);)
    if (line.rfind("#include", 0) != 0 && line.rfind("#pragma once", 0) != 0) os << line << "\n";
  os << "namespace k = theon::k;\n\n" << kernel;
  return os.str();
}

}  // namespace theon::detail::cgen
