// Codecs of the neural-network ops: softmax, convolution, pooling, random draws.
#include <sstream>

#include "ops/conv/conv_ops.hpp"
#include "ops/nnet/softmax.hpp"
#include "ops/nnet/softmax_crossentropy.hpp"
#include "ops/pool/pool_ops.hpp"
#include "ops/random/random_ops.hpp"
#include "serialize/codec_registry.hpp"
#include "theon/nnet.hpp"

namespace theon::detail {
namespace {

DType read_dtype(Reader& r) {
  const uint8_t d = r.u8();
  if (d > static_cast<uint8_t>(DType::Complex128)) r.fail("a dtype code is " + std::to_string(d));
  return static_cast<DType>(d);
}

// The integer after the last comma of an op's props ("float64,2" -> 2): the field some
// random ops keep private and print only there.
int props_tail_int(const Op& op) {
  const std::string p = op.props();
  return std::stoi(p.substr(p.find_last_of(',') + 1));
}

template <size_t N>
void write_array(Writer& w, const std::array<int64_t, N>& a) {
  for (int64_t v : a) w.i64(v);
}
template <size_t N>
void read_array(Reader& r, std::array<int64_t, N>& a) {
  for (int64_t& v : a) v = r.i64();
}

// The conv ops' shape hints, which only their props show: "... hint0=(2, None, 5)".
conv::Hint parse_hint(const std::string& props, const std::string& label) {
  conv::Hint hint;
  const size_t at = props.find(label + "=(");
  if (at == std::string::npos) return hint;
  std::istringstream in(props.substr(at + label.size() + 2, props.find(')', at) - at - label.size() - 2));
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t b = item.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    item = item.substr(b);
    hint.push_back(item == "None" ? std::nullopt : std::optional<int64_t>(std::stoll(item)));
  }
  return hint;
}

template <class P>
void add_pool_codec(const char* key) {
  add_codec<P>(
      key,
      [](const P& op, Writer& w) {
        const pool::Params& p = op.params();
        w.i64(p.nd);
        w.boolean(p.ignore_border);
        w.u8(static_cast<uint8_t>(p.mode));
        write_array(w, p.ws);
        write_array(w, p.stride);
        write_array(w, p.pad);
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        pool::Params p;
        p.nd = r.int32();
        p.ignore_border = r.boolean();
        const uint8_t mode = r.u8();
        if (mode > static_cast<uint8_t>(pool::Mode::AverageExcPad)) r.fail("a pool mode is wrong");
        p.mode = static_cast<pool::Mode>(mode);
        read_array(r, p.ws);
        read_array(r, p.stride);
        read_array(r, p.pad);
        return std::make_shared<P>(p);
      });
}

}  // namespace

void register_codecs_nnet() {
  add_rebuild_codec("crossentropy_softmax_1hot", [](Reader& r, std::span<const Var> in) {
    if (in.size() != 2) r.fail("crossentropy_softmax_1hot has " + std::to_string(in.size()) + " inputs");
    return crossentropy_softmax_1hot(in[0], in[1], Loc());
  });
  add_codec<Softmax>(
      "softmax",
      [](const Softmax& op, Writer& w) {
        w.boolean(op.is_log());
        w.i64(op.axis());
      },
      [](Reader& r, std::span<const Var> in) -> std::shared_ptr<const Op> {
        const bool is_log = r.boolean();
        const int axis = r.int32();
        if (in.empty()) r.fail("softmax has no input");
        return std::make_shared<Softmax>(is_log, axis, in[0].ndim());
      });
  add_codec<conv::ConvOp>(
      "conv",
      [](const conv::ConvOp& op, Writer& w) {
        const conv::ConvSpec& s = op.spec();
        w.u8(static_cast<uint8_t>(op.pass()));
        w.i64(s.spatial);
        w.u8(static_cast<uint8_t>(s.border));
        write_array(w, s.pad);
        write_array(w, s.stride);
        write_array(w, s.dilation);
        w.i64(s.groups);
        w.str(op.props());
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const uint8_t pass = r.u8();
        if (pass > static_cast<uint8_t>(conv::ConvPass::GradFilters)) r.fail("a conv pass is wrong");
        conv::ConvSpec s;
        s.spatial = r.int32();
        const uint8_t border = r.u8();
        if (border > static_cast<uint8_t>(conv::BorderKind::Explicit)) r.fail("a conv border is wrong");
        s.border = static_cast<conv::BorderKind>(border);
        read_array(r, s.pad);
        read_array(r, s.stride);
        read_array(r, s.dilation);
        s.groups = r.i64();
        const std::string props = r.str();
        return std::make_shared<conv::ConvOp>(static_cast<conv::ConvPass>(pass), s,
                                              parse_hint(props, "hint0"), parse_hint(props, "hint1"));
      });
  add_pool_codec<pool::Pool>("pool");
  add_pool_codec<pool::MaxPoolGrad>("max_pool_grad");
  add_pool_codec<pool::AveragePoolGrad>("average_pool_grad");
  add_pool_codec<pool::MaxPoolGradGrad>("max_pool_grad_grad");
  add_pool_codec<pool::PoolArgmax>("pool_argmax");
  add_pool_codec<pool::MaxPoolArgmaxGrad>("max_pool_argmax_grad");

  add_codec<RandomDraw>(
      "random_draw",
      [](const RandomDraw& op, Writer& w) {
        w.u8(static_cast<uint8_t>(op.dist()));
        w.u8(static_cast<uint8_t>(op.dtype()));
        w.i64(props_tail_int(op));
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const uint8_t dist = r.u8();
        if (dist > static_cast<uint8_t>(Distribution::Binomial)) r.fail("a distribution is wrong");
        const DType dtype = read_dtype(r);
        return std::make_shared<RandomDraw>(static_cast<Distribution>(dist), dtype, r.int32());
      });
  add_codec<RandomAdvance>(
      "random_advance",
      [](const RandomAdvance& op, Writer& w) {
        w.str(op.props().substr(0, op.props().find(',')));
        w.i64(props_tail_int(op));
      },
      [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
        const std::string dtype = r.str();
        return std::make_shared<RandomAdvance>(dtype_from_name(dtype), r.int32());
      });
  add_codec<Multinomial>(
      "multinomial", [](const Multinomial& op, Writer& w) { w.str(op.props()); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Multinomial>(dtype_from_name(r.str())); });
  add_codec<Permutation>(
      "permutation", [](const Permutation& op, Writer& w) { w.i64(std::stoi(op.props())); },
      [](Reader& r, std::span<const Var>) { return std::make_shared<Permutation>(r.int32()); });
  add_codec<Choice>(
      "choice",
      [](const Choice& op, Writer& w) {
        const std::string p = op.props();
        w.i64(std::stoi(p));
        w.boolean(p.find(",replace") != std::string::npos);
        w.boolean(p.ends_with(",p"));
      },
      [](Reader& r, std::span<const Var>) {
        const int ndim = r.int32();
        const bool replace = r.boolean();
        return std::make_shared<Choice>(ndim, replace, r.boolean());
      });
  add_plain_codec<ShuffleRows>("shuffle_row_elements");
}

}  // namespace theon::detail
