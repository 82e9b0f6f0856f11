// Every row of scalar_ops.def, through its public function theon::tensor::<FUNC>, compiled
// with theon::function and compared with NumPy: float64 for every row (int32 and bool for
// the bitwise rows, which take no floats), int32 and float32 for a representative subset,
// complex128 for the rows whose domain admits complex numbers.
//
// The expected values come from NumPy 1.24.2 / SciPy 1.10.1 on the inputs below, with
//   add np.add, sub np.subtract, mul np.multiply, true_div np.true_divide,
//   floor_div np.floor_divide, mod np.mod, pow np.power, minimum, maximum, arctan2,
//   lt np.less (gt, le, ge, eq, neq likewise), and_/or_/xor_ np.bitwise_*, invert np.invert,
//   neg np.negative, abs np.abs, sgn np.sign, reciprocal np.reciprocal, sqr np.square, sqrt,
//   exp, exp2, expm1, log, log2, log10, log1p, sin ... tanh, sigmoid scipy.special.expit,
//   softplus np.logaddexp(0, x), erf/erfc scipy.special.erf/erfc, arcsinh/arccosh/arctanh
//   np.arcsinh..., deg2rad/rad2deg np.deg2rad..., erfinv, erfcinv, gammaln, gamma, psi
//   scipy.special's, tri_gamma scipy.special.polygamma(1, x), floor, ceil, round
//   np.round, trunc, isnan, isinf, switch_ np.where(c != 0, a, b),
//   clip np.minimum(np.maximum(x, lo), hi), identity x.copy(), second np.broadcast_to(b, ...),
// computed in the input dtype (float32 sigmoid and erf: in float64, then cast; SciPy's
// float32 erfinv differs from Theon's, which is computed in float64, by 1e-7), e.g.
//   np.exp(np.array(X, dtype=np.float32)).
#include <cmath>
#include <stdexcept>

#include "ops/elemwise.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

constexpr DType b = DType::Bool, i32 = DType::Int32, f32 = DType::Float32,
                f64 = DType::Float64, c128 = DType::Complex128;
constexpr double kNan = NAN, kInf = INFINITY;

// One builder per row of the table, so a new row cannot go untested (see EveryRowHasACase).
struct OpEntry {
  const char* name;
  Var (*build)(const std::vector<Var>& v);
};
#define THEON_CALL_0(F) T::F(v[0], v[1])
#define THEON_CALL_1(F) T::F(v[0])
#define THEON_CALL_2(F) T::F(v[0], v[1])
#define THEON_CALL_3(F) T::F(v[0], v[1], v[2])
#define THEON_ENTRY(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  {#FUNC, [](const std::vector<Var>& v) { return THEON_CALL_##ARITY(FUNC); }},
const OpEntry kOps[] = {THEON_SCALAR_OPS(THEON_ENTRY)};
#undef THEON_ENTRY

const OpEntry& op_named(const std::string& name) {
  for (const OpEntry& op : kOps)
    if (name == op.name) return op;
  throw std::invalid_argument("no scalar op named " + name);
}

// Compiles op(inputs...) for variables of the arguments' dtypes and runs it; a failure
// to build or run is reported (and gives an undefined array) so later cases still run.
NDArray run(const std::string& op, const std::vector<NDArray>& args) {
  try {
    std::vector<Var> vars;
    for (size_t i = 0; i < args.size(); ++i)
      vars.push_back(T::tensor(args[i].dtype(), BroadcastPattern(args[i].ndim(), false),
                               std::string("x").append(std::to_string(i))));
    Function f = function(vars, op_named(op).build(vars));
    std::vector<Arg> call_args(args.begin(), args.end());
    return f.call(call_args).array();
  } catch (const std::exception& e) {
    ADD_FAILURE() << op << " threw: " << e.what();
    return NDArray();
  }
}

const std::vector<double> X = {-2.5, -0.5, 0.0, 0.75, 3.0};
const std::vector<double> B = {1.5, -2.0, 0.5, 0.75, -4.0};   // no zeros: a divisor
const std::vector<double> C = {1.5, -0.5, 0.0, 1.0, -4.0};    // equal to X in places
const std::vector<double> P = {0.25, 0.5, 1.0, 2.0, 10.0};    // positive
const std::vector<double> U = {-0.9, -0.5, 0.0, 0.3, 0.99};   // inside (-1, 1)
const std::vector<double> AC = {1.0, 1.5, 2.0, 10.0, 1e10};   // arccosh's domain
const std::vector<double> DEG = {-180.0, -45.0, 0.0, 90.0, 720.0};
const std::vector<double> EC = {0.01, 0.5, 1.0, 1.5, 1.99};   // inside (0, 2)
const std::vector<double> G = {-2.5, -0.5, 0.5, 1.0, 3.7};    // gamma and psi, both signs
const std::vector<double> NF = {kNan, kInf, -kInf, 0.0, 1.5};
const std::vector<double> R = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4999, -3.7};  // halves
const std::vector<double> COND = {1.0, 0.0, -2.0, 0.0, 0.5};
const std::vector<double> LO = {-1.0, -1.0, 0.0, 0.0, -3.0};
const std::vector<double> HI = {2.0, 2.0, 0.5, 0.5, 1.0};
const std::vector<double> I1 = {-7, -3, 0, 5, 12};
const std::vector<double> I2 = {2, 3, -4, -2, 5};
const std::vector<double> IB1 = {-3, 0, 5, 12, 7};
const std::vector<double> IB2 = {6, 3, -1, 10, 7};
const std::vector<double> BOOL1 = {true, true, false, false};
const std::vector<double> BOOL2 = {true, false, true, false};

struct RealCase {
  const char* op;
  DType dtype;  // of every input
  std::vector<std::vector<double>> inputs;
  DType out;
  std::vector<double> want;
};

const RealCase kRealCases[] = {
    {"add", f64, {X, B}, f64, {-1.0, -2.5, 0.5, 1.5, -1.0}},
    {"sub", f64, {X, B}, f64, {-4.0, 1.5, -0.5, 0.0, 7.0}},
    {"mul", f64, {X, B}, f64, {-3.75, 1.0, 0.0, 0.5625, -12.0}},
    {"true_div", f64, {X, B}, f64, {-1.6666666666666667, 0.25, 0.0, 1.0, -0.75}},
    {"floor_div", f64, {X, B}, f64, {-2.0, 0.0, 0.0, 1.0, -1.0}},
    {"mod", f64, {X, B}, f64, {0.5, -0.5, 0.0, 0.0, -1.0}},
    {"pow", f64, {P, B}, f64, {0.125, 4.0, 1.0, 1.681792830507429, 9.999999999999999e-05}},
    {"minimum", f64, {X, C}, f64, {-2.5, -0.5, 0.0, 0.75, -4.0}},
    {"maximum", f64, {X, C}, f64, {1.5, -0.5, 0.0, 1.0, 3.0}},
    {"arctan2", f64, {X, B}, f64,
     {-1.0303768265243125, -2.896613990462929, 0.0, 0.7853981633974483, 2.498091544796509}},
    {"lt", f64, {X, C}, b, {true, false, false, true, false}},
    {"gt", f64, {X, C}, b, {false, false, false, false, true}},
    {"le", f64, {X, C}, b, {true, true, true, true, false}},
    {"ge", f64, {X, C}, b, {false, true, true, false, true}},
    {"eq", f64, {X, C}, b, {false, true, true, false, false}},
    {"neq", f64, {X, C}, b, {true, false, false, true, true}},
    {"neg", f64, {X}, f64, {2.5, 0.5, -0.0, -0.75, -3.0}},
    {"abs", f64, {X}, f64, {2.5, 0.5, 0.0, 0.75, 3.0}},
    {"sgn", f64, {X}, f64, {-1.0, -1.0, 0.0, 1.0, 1.0}},
    {"reciprocal", f64, {B}, f64, {0.6666666666666666, -0.5, 2.0, 1.3333333333333333, -0.25}},
    {"sqr", f64, {X}, f64, {6.25, 0.25, 0.0, 0.5625, 9.0}},
    {"sqrt", f64, {P}, f64, {0.5, 0.7071067811865476, 1.0, 1.4142135623730951, 3.1622776601683795}},
    {"exp", f64, {X}, f64,
     {0.0820849986238988, 0.6065306597126334, 1.0, 2.1170000166126743, 20.085536923187668}},
    {"exp2", f64, {X}, f64, {0.1767766952966369, 0.7071067811865476, 1.0, 1.681792830507429, 8.0}},
    {"expm1", f64, {X}, f64,
     {-0.9179150013761012, -0.3934693402873666, 0.0, 1.1170000166126746, 19.085536923187668}},
    {"log", f64, {P}, f64,
     {-1.3862943611198906, -0.6931471805599453, 0.0, 0.6931471805599453, 2.3025850929940455}},
    {"log2", f64, {P}, f64, {-2.0, -1.0, 0.0, 1.0, 3.321928094887362}},
    {"log10", f64, {P}, f64,
     {-0.6020599913279624, -0.3010299956639812, 0.0, 0.3010299956639812, 1.0}},
    {"log1p", f64, {U}, f64,
     {-2.302585092994046, -0.6931471805599453, 0.0, 0.262364264467491, 0.688134638736401}},
    {"sin", f64, {X}, f64,
     {-0.5984721441039564, -0.47942553860420295, 0.0, 0.6816387600233341, 0.1411200080598672}},
    {"cos", f64, {X}, f64,
     {-0.8011436155469338, 0.8775825618903725, 1.0, 0.731688868873821, -0.9899924966004454}},
    {"tan", f64, {X}, f64,
     {0.7470222972386602, -0.5463024898437905, 0.0, 0.9315964599440725, -0.1425465430742778}},
    {"arcsin", f64, {U}, f64,
     {-1.1197695149986342, -0.5235987755982989, 0.0, 0.30469265401539747, 1.4292568534704693}},
    {"arccos", f64, {U}, f64,
     {2.6905658417935308, 2.0943951023931957, 1.5707963267948966, 1.266103672779499,
     0.1415394733244273}},
    {"arctan", f64, {X}, f64,
     {-1.1902899496825317, -0.4636476090008061, 0.0, 0.6435011087932844, 1.2490457723982544}},
    {"sinh", f64, {X}, f64,
     {-6.0502044810397875, -0.5210953054937474, 0.0, 0.8223167319358299, 10.017874927409903}},
    {"cosh", f64, {X}, f64,
     {6.132289479663686, 1.1276259652063807, 1.0, 1.2946832846768446, 10.067661995777764}},
    {"tanh", f64, {X}, f64,
     {-0.9866142981514303, -0.46211715726000974, 0.0, 0.6351489523872873, 0.9950547536867305}},
    {"sigmoid", f64, {X}, f64,
     {0.07585818002124355, 0.3775406687981454, 0.5, 0.679178699175393, 0.9525741268224334}},
    {"softplus", f64, {X}, f64,
     {0.07888973429254963, 0.4740769841801067, 0.6931471805599453, 1.1368710061148999,
     3.048587351573742}},
    {"erf", f64, {X}, f64,
     {-0.999593047982555, -0.5204998778130465, 0.0, 0.7111556336535151, 0.9999779095030014}},
    {"erfc", f64, {X}, f64,
     {1.999593047982555, 1.5204998778130465, 1.0, 0.2888443663464849, 2.2090496998585445e-05}},
    {"arcsinh", f64, {X}, f64,
     {-1.6472311463710958, -0.48121182505960347, 0.0, 0.6931471805599453, 1.8184464592320668}},
    {"arccosh", f64, {AC}, f64, {0.0, 0.9624236501192069, 1.3169578969248168, 2.993222846126381,
     23.7189981105004}},
    {"arctanh", f64, {U}, f64,
     {-1.4722194895832204, -0.5493061443340549, 0.0, 0.3095196042031117, 2.6466524123622457}},
    {"deg2rad", f64, {DEG}, f64,
     {-3.141592653589793, -0.7853981633974483, 0.0, 1.5707963267948966, 12.566370614359172}},
    {"rad2deg", f64, {X}, f64,
     {-143.2394487827058, -28.64788975654116, 0.0, 42.97183463481174, 171.88733853924697}},
    {"erfinv", f64, {U}, f64,
     {-1.1630871536766743, -0.4769362762044699, 0.0, 0.2724627147267543, 1.8213863677184494}},
    {"erfcinv", f64, {EC}, f64,
     {1.8213863677184499, 0.4769362762044699, 0.0, -0.4769362762044699, -1.8213863677184496}},
    {"gammaln", f64, {G}, f64,
     {-0.05624371649767401, 1.2655121234846454, 0.5723649429247, 0.0, 1.428072326665388}},
    {"gamma", f64, {G}, f64,
     {-0.9453087204829419, -3.5449077018110318, 1.7724538509055159, 1.0, 4.170651783796604}},
    {"psi", f64, {G}, f64,
     {1.1031566406452433, 0.03648997397857651, -1.9635100260214235, -0.5772156649015329,
     1.1671535393615113}},
    {"tri_gamma", f64, {G}, f64,
     {9.539246644989124, 8.934802200544679, 4.93480220054468, 1.6449340668482266,
     0.31003785767003833}},
    {"floor", f64, {X}, f64, {-3.0, -1.0, 0.0, 0.0, 3.0}},
    {"ceil", f64, {X}, f64, {-2.0, -0.0, 0.0, 1.0, 3.0}},
    {"round", f64, {R}, f64, {-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0, -4.0}},
    {"trunc", f64, {R}, f64, {-2.0, -1.0, -0.0, 0.0, 1.0, 2.0, 0.0, -3.0}},
    {"isnan", f64, {NF}, b, {true, false, false, false, false}},
    {"isinf", f64, {NF}, b, {false, true, true, false, false}},
    {"switch_", f64, {COND, X, B}, f64, {-2.5, -2.0, 0.0, 0.75, 3.0}},
    {"clip", f64, {X, LO, HI}, f64, {-1.0, -0.5, 0.0, 0.5, 1.0}},
    {"identity", f64, {X}, f64, {-2.5, -0.5, 0.0, 0.75, 3.0}},
    {"second", f64, {X, B}, f64, {1.5, -2.0, 0.5, 0.75, -4.0}},
    // int32 and bool
    {"add", i32, {I1, I2}, i32, {-5, 0, -4, 3, 17}},
    {"sub", i32, {I1, I2}, i32, {-9, -6, 4, 7, 7}},
    {"mul", i32, {I1, I2}, i32, {-14, -9, 0, -10, 60}},
    {"floor_div", i32, {I1, I2}, i32, {-4, -1, 0, -3, 2}},
    {"mod", i32, {I1, I2}, i32, {1, 0, 0, -1, 2}},
    {"pow", i32, {I1, {2, 3, 0, 1, 2}}, i32, {49, -27, 1, 5, 144}},
    {"minimum", i32, {I1, I2}, i32, {-7, -3, -4, -2, 5}},
    {"maximum", i32, {I1, I2}, i32, {2, 3, 0, 5, 12}},
    {"true_div", i32, {I1, I2}, f64, {-3.5, -1, -0, -2.5, 2.4}},
    {"lt", i32, {I1, I2}, b, {true, true, false, false, false}},
    {"eq", i32, {I1, {2, -3, 0, 0, 12}}, b, {false, true, true, false, true}},
    {"neg", i32, {I1}, i32, {7, 3, 0, -5, -12}},
    {"abs", i32, {I1}, i32, {7, 3, 0, 5, 12}},
    {"sgn", i32, {I1}, i32, {-1, -1, 0, 1, 1}},
    {"sqr", i32, {I1}, i32, {49, 9, 0, 25, 144}},
    {"exp", i32, {{-2, -1, 0, 1, 3}}, f64,
     {0.13533528323661267, 0.3678794411714424, 1, 2.718281828459045, 20.085536923187668}},
    {"sqrt", i32, {{0, 1, 2, 9, 10}}, f64, {0, 1, 1.4142135623730951, 3, 3.1622776601683795}},
    {"psi", i32, {{1, 2, 3, 10, -1}}, f64,
     {-0.5772156649015329, 0.42278433509846713, 0.9227843350984671, 2.251752589066721, kNan}},
    {"gammaln", i32, {{1, 2, 3, 10, -1}}, f64, {0.0, 0.0, 0.6931471805599453, 12.801827480081469, kInf}},
    {"and_", i32, {IB1, IB2}, i32, {4, 0, 5, 8, 7}},
    {"or_", i32, {IB1, IB2}, i32, {-1, 3, -1, 14, 7}},
    {"xor_", i32, {IB1, IB2}, i32, {-5, 3, -6, 6, 0}},
    {"invert", i32, {IB1}, i32, {2, -1, -6, -13, -8}},
    {"isnan", i32, {I1}, b, {false, false, false, false, false}},
    {"clip", i32, {I1, {-5, -5, 1, 1, 0}, {5, 5, 2, 2, 3}}, i32, {-5, -3, 1, 2, 3}},
    {"switch_", i32, {{1, 0, -2, 0, 3}, I1, I2}, i32, {-7, 3, 0, -2, 12}},
    {"and_", b, {BOOL1, BOOL2}, b, {true, false, false, false}},
    {"or_", b, {BOOL1, BOOL2}, b, {true, true, true, false}},
    {"xor_", b, {BOOL1, BOOL2}, b, {false, true, true, false}},
    {"invert", b, {BOOL1}, b, {false, false, true, true}},
    // float32
    {"add", f32, {X, B}, f32, {-1.0, -2.5, 0.5, 1.5, -1.0}},
    {"mul", f32, {X, B}, f32, {-3.75, 1.0, 0.0, 0.5625, -12.0}},
    {"true_div", f32, {X, B}, f32, {-1.6666666269302368, 0.25, 0.0, 1.0, -0.75}},
    {"exp", f32, {X}, f32,
     {0.0820850059390068, 0.6065306663513184, 1.0, 2.117000102996826, 20.08553695678711}},
    {"log", f32, {P}, f32,
     {-1.3862943649291992, -0.6931471824645996, 0.0, 0.6931471824645996, 2.3025851249694824}},
    {"sqrt", f32, {P}, f32, {0.5, 0.7071067690849304, 1.0, 1.4142135381698608, 3.1622776985168457}},
    {"tanh", f32, {X}, f32,
     {-0.9866142868995667, -0.46211719512939453, 0.0, 0.6351490020751953, 0.9950547814369202}},
    {"sigmoid", f32, {X}, f32,
     {0.07585818320512772, 0.3775406777858734, 0.5, 0.6791787147521973, 0.9525741338729858}},
    {"softplus", f32, {X}, f32,
     {0.07888973504304886, 0.4740769863128662, 0.6931471824645996, 1.1368709802627563,
     3.0485873222351074}},
    {"erf", f32, {X}, f32,
     {-0.9995930194854736, -0.5204998850822449, 0.0, 0.7111556529998779, 0.9999778866767883}},
    {"sin", f32, {X}, f32,
     {-0.5984721779823303, -0.4794255495071411, 0.0, 0.681638777256012, 0.14112000167369843}},
    {"pow", f32, {P, B}, f32, {0.125, 4.0, 1.0, 1.6817928552627563, 9.999999747378752e-05}},
    {"maximum", f32, {X, C}, f32, {1.5, -0.5, 0.0, 1.0, 3.0}},
    {"round", f32, {R}, f32, {-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0, -4.0}},
    {"arcsinh", f32, {X}, f32,
     {-1.647231101989746, -0.4812118113040924, 0.0, 0.6931471824645996, 1.8184465169906616}},
    {"gammaln", f32, {G}, f32,
     {-0.056243717670440674, 1.2655121088027954, 0.5723649263381958, 0.0, 1.4280723333358765}},
    {"psi", f32, {G}, f32,
     {1.1031566858291626, 0.036489974707365036, -1.9635100364685059, -0.5772156715393066,
     1.1671535968780518}},
    {"erfinv", f32, {U}, f32,
     {-1.1630871295928955, -0.4769362807273865, 0.0, 0.27246272563934326, 1.8213865756988525}},
    {"gamma", f32, {G}, f32,
     {-0.9453087449073792, -3.544907808303833, 1.7724539041519165, 1.0, 4.170651912689209}},
    {"deg2rad", f32, {DEG}, f32,
     {-3.1415927410125732, -0.7853981852531433, 0.0, 1.5707963705062866, 12.566370964050293}},
    {"lt", f32, {X, C}, b, {true, false, false, true, false}},
};

using Z = std::vector<complex128>;
const Z Z1 = {{1, 2}, {-0.5, -1}, {0, 3}, {-2, 0}};
const Z Z2 = {{0.5, -1}, {2, 0}, {-1, 1}, {1.5, 0.5}};
const Z ZC = {{1, 0}, {0, 0}, {0, 1}, {0, 0}};  // a complex condition
const Z ZNF = {{kNan, 0}, {0, kInf}, {1, 2}, {-kInf, 1}};

struct ComplexCase {
  const char* op;
  std::vector<Z> inputs;  // complex128
  DType out;
  Z want;
};

const ComplexCase kComplexCases[] = {
    {"add", {Z1, Z2}, c128, {{1.5, 1.0}, {1.5, -1.0}, {-1.0, 4.0}, {-0.5, 0.5}}},
    {"sub", {Z1, Z2}, c128, {{0.5, 3.0}, {-2.5, -1.0}, {1.0, 2.0}, {-3.5, -0.5}}},
    {"mul", {Z1, Z2}, c128, {{2.5, 0.0}, {-1.0, -2.0}, {-3.0, -3.0}, {-3.0, -1.0}}},
    {"true_div", {Z1, Z2}, c128,
     {{-1.2000000000000002, 1.6}, {-0.25, -0.5}, {1.5, -1.5}, {-1.2, 0.39999999999999997}}},
    {"pow", {Z1, Z2}, c128,
     {{4.382565059863358, -1.1243974773611554}, {-0.75, 1.0}, {0.06171092604320202,
     -0.03151679045592873}, {0.19972071755244208, -0.5530126409861855}}},
    {"eq", {Z1, {{1.0, 2.0}, {-0.5, 1.0}, {0.0, 3.0}, {2.0, 0.0}}}, b,
     {{1.0, 0.0}, {0.0, 0.0}, {1.0, 0.0}, {0.0, 0.0}}},
    {"neq", {Z1, {{1.0, 2.0}, {-0.5, 1.0}, {0.0, 3.0}, {2.0, 0.0}}}, b,
     {{0.0, 0.0}, {1.0, 0.0}, {0.0, 0.0}, {1.0, 0.0}}},
    {"neg", {Z1}, c128, {{-1.0, -2.0}, {0.5, 1.0}, {-0.0, -3.0}, {2.0, -0.0}}},
    {"abs", {Z1}, f64, {{2.23606797749979, 0.0}, {1.118033988749895, 0.0}, {3.0, 0.0}, {2.0, 0.0}}},
    {"reciprocal", {Z1}, c128,
     {{0.2, -0.4}, {-0.4, 0.8}, {0.0, -0.3333333333333333}, {-0.5, -0.0}}},
    {"sqr", {Z1}, c128, {{-3.0, 4.0}, {-0.75, 1.0}, {-9.0, 0.0}, {4.0, -0.0}}},
    {"sqrt", {Z1}, c128,
     {{1.272019649514069, 0.7861513777574233}, {0.5558929702514211, -0.8994537199739336},
     {1.224744871391589, 1.224744871391589}, {0.0, 1.4142135623730951}}},
    {"exp", {Z1}, c128,
     {{-1.1312043837568135, 2.4717266720048188}, {0.32770991402245986, -0.5103779515445728},
     {-0.9899924966004454, 0.1411200080598672}, {0.1353352832366127, 0.0}}},
    {"log", {Z1}, c128,
     {{0.8047189562170503, 1.1071487177940904}, {0.11157177565710488, -2.0344439357957027},
     {1.0986122886681098, 1.5707963267948966}, {0.6931471805599453, 3.141592653589793}}},
    {"sin", {Z1}, c128,
     {{3.165778513216168, 1.9596010414216063}, {-0.7397922644560138, -1.0313360742545512}, {0.0,
     10.017874927409903}, {-0.9092974268256817, -0.0}}},
    {"cos", {Z1}, c128,
     {{2.0327230070196656, -3.0518977991518}, {1.3541806567045842, -0.5634214652309818},
     {10.067661995777765, -0.0}, {-0.4161468365471424, 0.0}}},
    {"tan", {Z1}, c128,
     {{0.03381282607989669, 1.0147936161466335}, {-0.195577310065934, -0.8429662048457833}, {0.0,
     0.9950547536867302}, {2.185039863261519, 0.0}}},
    {"sinh", {Z1}, c128,
     {{-0.4890562590412937, 1.4031192506220405}, {-0.28154899513533443, -0.948864531437168},
     {-0.0, 0.1411200080598672}, {-3.626860407847019, 0.0}}},
    {"cosh", {Z1}, c128,
     {{-0.64214812471552, 1.0686074213827783}, {0.6092589091577942, 0.4384865798925953},
     {-0.9899924966004454, 0.0}, {3.7621956910836314, -0.0}}},
    {"tanh", {Z1}, c128,
     {{1.16673625724092, -0.2434582011857253}, {-1.0428307283443607, -0.806877412163085}, {0.0,
     -0.1425465430742778}, {-0.9640275800758168, 0.0}}},
    {"isnan", {ZNF}, b, {{1.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}}},
    {"isinf", {ZNF}, b, {{0.0, 0.0}, {1.0, 0.0}, {0.0, 0.0}, {1.0, 0.0}}},
    {"switch_", {ZC, Z1, Z2}, c128, {{1.0, 2.0}, {2.0, 0.0}, {0.0, 3.0}, {1.5, 0.5}}},
    {"identity", {Z1}, c128, {{1.0, 2.0}, {-0.5, -1.0}, {0.0, 3.0}, {-2.0, 0.0}}},
    {"second", {Z1, Z2}, c128, {{0.5, -1.0}, {2.0, 0.0}, {-1.0, 1.0}, {1.5, 0.5}}},
};

NDArray vector_of(const std::vector<double>& values, DType dtype) {
  return array(values, {static_cast<int64_t>(values.size())}).astype(dtype);
}
NDArray vector_of(const Z& values, DType dtype) {
  return array(values, {static_cast<int64_t>(values.size())}).astype(dtype);
}

TEST(ElemwiseTable, RealDtypesMatchNumpy) {
  for (const RealCase& c : kRealCases) {
    SCOPED_TRACE(std::string(c.op) + " on " + std::string(dtype_name(c.dtype)));
    std::vector<NDArray> args;
    for (const auto& in : c.inputs) args.push_back(vector_of(in, c.dtype));
    // float32 libm results may differ from NumPy's in the last place.
    const double rtol = c.dtype == f32 ? 1e-6 : 1e-13;
    EXPECT_ALLCLOSE(run(c.op, args), vector_of(c.want, c.out), rtol, 1e-30);
  }
}

TEST(ElemwiseTable, Complex128MatchesNumpy) {
  for (const ComplexCase& c : kComplexCases) {
    SCOPED_TRACE(c.op);
    std::vector<NDArray> args;
    for (const auto& in : c.inputs) args.push_back(vector_of(in, c128));
    EXPECT_ALLCLOSE(run(c.op, args), vector_of(c.want, c.out), 1e-13, 1e-15);
  }
}

TEST(ElemwiseTable, EveryRowHasACase) {
  for (const OpEntry& op : kOps) {
    bool covered = false;
    for (const RealCase& c : kRealCases) covered = covered || std::string(c.op) == op.name;
    EXPECT_TRUE(covered) << op.name << " has no row in kRealCases";
  }
}

// Every row whose domain admits complex has a complex128 case.
TEST(ElemwiseTable, EveryComplexRowHasAComplexCase) {
  for (int id = 0; id < static_cast<int>(std::size(kOps)); ++id) {
    const auto& info = detail::scalar_op_info(static_cast<detail::ScalarOpId>(id));
    if (info.domain != detail::Domain::any) continue;
    bool covered = false;
    for (const ComplexCase& c : kComplexCases) covered = covered || std::string(c.op) == info.name;
    EXPECT_TRUE(covered) << info.name << " admits complex but has no complex case";
  }
}

}  // namespace
}  // namespace theon
