// verify_grad on the nnet ops, and the gradients of a softmax classifier against a
// hand-derived reference.
#include "grad_check.hpp"
#include "theon/nnet.hpp"

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;

namespace theon::testing {
namespace {

TEST(NnetGrad, Activations) {
  check_rows({
      {"sigmoid", [](const Vars& in) { return nnet::sigmoid(in[0]); }, {{{3, 4}, -4, 4}}},
      {"softplus", [](const Vars& in) { return nnet::softplus(in[0]); }, {{{3, 4}, -4, 4}}},
      // relu and elu away from the kink at 0: one point per side, then mixed signs.
      {"relu x>0", [](const Vars& in) { return nnet::relu(in[0]); }, {{{3, 4}, 0.1, 2}}},
      {"relu x<0", [](const Vars& in) { return nnet::relu(in[0]); }, {{{3, 4}, -2, -0.1}}},
      {"leaky relu", [](const Vars& in) { return nnet::relu(in[0], 0.3); }, {{{3, 4}, -2, 2}}},
      {"elu", [](const Vars& in) { return nnet::elu(in[0]); }, {{{3, 4}, -2, 2}}},
      {"elu alpha 0.5", [](const Vars& in) { return nnet::elu(in[0], 0.5); }, {{{5}, -3, 3}}},
  });
}

TEST(NnetGrad, SoftmaxAndLogSoftmax) {
  check_rows({
      {"softmax rows", [](const Vars& in) { return nnet::softmax(in[0]); }, {{{3, 5}, -3, 3}}},
      {"softmax axis 0", [](const Vars& in) { return nnet::softmax(in[0], 0); },
       {{{3, 5}, -3, 3}}},
      {"softmax vector", [](const Vars& in) { return nnet::softmax(in[0]); }, {{{4}, -3, 3}}},
      {"softmax tensor3 axis 1", [](const Vars& in) { return nnet::softmax(in[0], 1); },
       {{{2, 3, 4}, -3, 3}}},
      {"softmax of a transposed input",
       [](const Vars& in) { return nnet::softmax(T::transpose(in[0])); },
       {{{4, 3}, -3, 3}}},
      {"softmax of a row", [](const Vars& in) { return nnet::softmax(in[0]); }, {{{1, 5}}}},
      {"log_softmax rows", [](const Vars& in) { return nnet::log_softmax(in[0]); },
       {{{3, 5}, -3, 3}}},
      {"log_softmax axis 0", [](const Vars& in) { return nnet::log_softmax(in[0], 0); },
       {{{3, 5}, -3, 3}}},
      {"log_softmax tensor3 axis -1", [](const Vars& in) { return nnet::log_softmax(in[0], -1); },
       {{{2, 3, 4}, -3, 3}}},
      {"softmax of a dense layer",
       [](const Vars& in) { return nnet::softmax(T::dot(in[0], in[1]) + in[2]); },
       {{{4, 3}}, {{3, 5}}, {{5}}}},
  });
}

TEST(NnetGrad, Crossentropies) {
  const Var labels = constant(array({2, 0, 1, 2}));
  check_rows({
      {"binary_crossentropy", [](const Vars& in) { return nnet::binary_crossentropy(in[0], in[1]); },
       {{{3, 4}, 0.1, 0.9}, {{3, 4}, 0, 1}}},
      {"binary_crossentropy of a sigmoid",
       [](const Vars& in) { return nnet::binary_crossentropy(nnet::sigmoid(in[0]), in[1]); },
       {{{6}, -3, 3}, {{6}, 0, 1}}},
      {"sigmoid_binary_crossentropy",
       [](const Vars& in) { return nnet::sigmoid_binary_crossentropy(in[0], in[1]); },
       {{{3, 4}, -4, 4}, {{3, 4}, 0, 1}}},
      {"categorical_crossentropy with labels",
       [labels](const Vars& in) { return nnet::categorical_crossentropy(in[0], labels); },
       {{{4, 3}, 0.1, 1}}},
      {"categorical_crossentropy of a softmax with labels",
       [labels](const Vars& in) {
         return nnet::categorical_crossentropy(nnet::softmax(in[0]), labels);
       },
       {{{4, 3}, -2, 2}}},
      {"categorical_crossentropy with probability targets",
       [](const Vars& in) { return nnet::categorical_crossentropy(in[0], in[1]); },
       {{{4, 3}, 0.1, 1}, {{4, 3}, 0, 1}}},
      {"categorical_crossentropy of a softmax with one-hot targets",
       [](const Vars& in) {
         return nnet::categorical_crossentropy(nnet::softmax(in[0]),
                                               constant(array({{0.0, 1.0}, {1.0, 0.0}, {0.0, 1.0}})));
       },
       {{{3, 2}, -2, 2}}},
  });
}

TEST(NnetGrad, SoftmaxClassifierMatchesTheClosedForm) {
  // d/dz mean(-log softmax(z)[i, y_i]) = (softmax(z) - onehot(y)) / n.
  auto z = T::dmatrix("z");
  auto y = T::lvector("y");
  auto loss = T::mean(nnet::categorical_crossentropy(nnet::softmax(z), y));
  auto f = function({z, y}, {nnet::softmax(z), T::grad(loss, z)});
  const NDArray zv = random_array({4, 3}, DType::Float64, -2, 2, 17);
  auto outs = f(zv, array({2, 0, 1, 1}));
  NDArray want = outs[0].copy();
  const int64_t labels[] = {2, 0, 1, 1};
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      double& w = want.data<double>()[i * 3 + j];
      w = (w - (j == labels[i] ? 1.0 : 0.0)) / 4;
    }
  }
  EXPECT_ALLCLOSE(outs[1], want, 1e-10, 1e-12);
}

TEST(NnetGrad, LogisticRegressionMatchesNumpyStyleReference) {
  // cost = sum(sigmoid_bce(X.w + b, t)); d/dw = X^T (sigmoid(Xw + b) - t), d/db = sum(...).
  auto X = T::dmatrix("X");
  auto t = T::dvector("t");
  auto w = shared(array({0.3, -0.6}), "w");
  auto b = shared(0.5, "b");
  auto logits = T::dot(X, w) + b;
  auto cost = T::sum(nnet::sigmoid_binary_crossentropy(logits, t));
  auto g = T::grad(cost, {w, b});
  auto f = function({X, t}, {g[0], g[1]});
  const NDArray xv = array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  auto outs = f(xv, array({0.0, 0.0, 0.0, 1.0}));
  double gw[2] = {0, 0}, gb = 0;
  const double tv[] = {0, 0, 0, 1};
  for (int i = 0; i < 4; ++i) {
    const double x0 = xv.at<double>({i, 0}), x1 = xv.at<double>({i, 1});
    const double r = 1 / (1 + std::exp(-(0.3 * x0 - 0.6 * x1 + 0.5))) - tv[i];
    gw[0] += x0 * r;
    gw[1] += x1 * r;
    gb += r;
  }
  EXPECT_ALLCLOSE(outs[0], array({gw[0], gw[1]}), 1e-12);
  EXPECT_ALLCLOSE(outs[1], array(gb), 1e-12);
}

}  // namespace
}  // namespace theon::testing
