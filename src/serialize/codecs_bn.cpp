// Codecs of batch normalization's training op and its gradient, and of the crossentropy
// op: their classes are private to their files, so they are rebuilt through the
// functions that make them, from parameters read off their props.
#include "ops/bn/bn_ops.hpp"
#include "serialize/codec_registry.hpp"
#include "theon/nnet.hpp"

namespace theon::detail {

void register_codecs_bn() {
  add_rebuild_codec(
      "batch_normalization_train",
      [](Reader& r, std::span<const Var> in) {
        std::vector<int> axes = r.ints();
        const double epsilon = r.f64();
        const bool running = r.boolean();
        const double factor = r.f64();
        if (in.size() != (running ? 5u : 3u)) r.fail("batch normalization has " + std::to_string(in.size()) + " inputs");
        return bn::train(in[0], in[1], in[2], axes, epsilon, factor, running ? in[3] : Var(),
                         running ? in[4] : Var(), Loc())[0];
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        w.ints(parse_int_tuple(props_field(p, "axes")));
        w.f64(std::stod(props_field(p, "epsilon")));
        const std::string factor = props_field(p, "running_average_factor");
        w.boolean(!factor.empty());
        w.f64(factor.empty() ? 0.0 : std::stod(factor));
      });
  add_rebuild_codec(
      "batch_normalization_train_grad",
      [](Reader& r, std::span<const Var> in) {
        std::vector<int> axes = r.ints();
        if (in.size() != 5) r.fail("batch normalization's gradient has " + std::to_string(in.size()) + " inputs");
        return bn::train_gradient(in[0], in[1], in[2], in[3], in[4], axes, Loc())[0];
      },
      [](const Op& op, Writer& w) { w.ints(parse_int_tuple(props_field(op.props(), "axes"))); });
  add_rebuild_codec("crossentropy_categorical_1hot", [](Reader& r, std::span<const Var> in) {
    if (in.size() != 2) r.fail("crossentropy has " + std::to_string(in.size()) + " inputs");
    return tensor::nnet::categorical_crossentropy(in[0], in[1]);
  });
}

}  // namespace theon::detail
