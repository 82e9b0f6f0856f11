// LeNet-5 in C++: two convolution + max-pooling blocks, a tanh hidden layer and a
// softmax output, trained by minibatch SGD on synthetic MNIST-shaped images (the same
// generator as examples/python/_mnist_like.py: each class a glyph of a few thick
// strokes, each sample shifted by up to 3 pixels with noise), so nothing is downloaded.
// Prints the validation error after every epoch; writes cpp_lenet5_cost.csv and
// cpp_lenet5_valid_error.csv.
#include <theon/theon.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <random>
#include <vector>

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
namespace signal = theon::tensor::signal;

namespace {

constexpr int kSide = 28, kClasses = 10, kBatch = 100;

struct Segment {
  double r0, c0, r1, c1;
};

// Each class's glyph: three strokes between random points of the central 20x20 area.
std::vector<std::vector<Segment>> make_glyphs() {
  std::vector<std::vector<Segment>> glyphs;
  for (int c = 0; c < kClasses; ++c) {
    std::mt19937 rng(700 + c);
    std::uniform_real_distribution<double> point(6, 22);
    std::vector<Segment> strokes;
    for (int s = 0; s < 3; ++s) strokes.push_back({point(rng), point(rng), point(rng), point(rng)});
    glyphs.push_back(strokes);
  }
  return glyphs;
}

// Intensity falls off with the distance to the nearest stroke: smooth, anti-aliased lines.
void draw(const std::vector<Segment>& strokes, double shift_r, double shift_c, double thickness,
          float* image) {
  for (int r = 0; r < kSide; ++r) {
    for (int c = 0; c < kSide; ++c) {
      const double pr = r - shift_r, pc = c - shift_c;
      double nearest = 1e300;
      for (const auto& s : strokes) {
        const double dr = s.r1 - s.r0, dc = s.c1 - s.c0;
        double t = ((pr - s.r0) * dr + (pc - s.c0) * dc) / std::max(dr * dr + dc * dc, 1e-9);
        t = std::clamp(t, 0.0, 1.0);
        nearest = std::min(nearest, std::hypot(pr - (s.r0 + t * dr), pc - (s.c0 + t * dc)));
      }
      image[r * kSide + c] = static_cast<float>(std::exp(-std::pow(nearest / thickness, 2)));
    }
  }
}

struct Dataset {
  theon::NDArray images;  // (n, 1, 28, 28) float32 in [0, 1]
  theon::NDArray labels;  // (n,) int64
};

Dataset make_dataset(int n, unsigned seed) {
  static const auto glyphs = make_glyphs();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> label(0, kClasses - 1), shift(-3, 3);
  std::uniform_real_distribution<double> thickness(1.2, 2.2);
  std::normal_distribution<double> noise(0, 0.25);
  std::vector<float> images(static_cast<size_t>(n) * kSide * kSide);
  std::vector<int64_t> labels(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = label(rng);
    float* image = images.data() + static_cast<size_t>(i) * kSide * kSide;
    const double sr = shift(rng), sc = shift(rng);
    draw(glyphs[labels[i]], sr, sc, thickness(rng), image);
    for (int k = 0; k < kSide * kSide; ++k)
      image[k] = std::clamp(image[k] + static_cast<float>(noise(rng)), 0.0f, 1.0f);
  }
  return {theon::array(images, {n, 1, kSide, kSide}), theon::array(labels, {n})};
}

// Uniform in +-sqrt(6 / (fan_in + fan_out)), as Theano's tutorial initializes LeNet.
theon::SharedVar uniform_weights(std::mt19937& rng, const theon::Shape& shape, double fan_in,
                                 double fan_out, const char* name) {
  const double bound = std::sqrt(6.0 / (fan_in + fan_out));
  std::uniform_real_distribution<float> u(static_cast<float>(-bound), static_cast<float>(bound));
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  std::vector<float> values(size);
  for (float& v : values) v = u(rng);
  return theon::shared(theon::array(values, shape), name);
}

theon::SharedVar zeros(int n, const char* name) {
  return theon::shared(theon::array(std::vector<float>(n, 0.0f), {n}), name);
}

}  // namespace

int main() {
  std::mt19937 rng(23455);
  const Dataset train = make_dataset(4000, 1), valid = make_dataset(1000, 2);

  auto x = T::ftensor4("x");
  auto y = T::lvector("y");
  auto w0 = uniform_weights(rng, {20, 1, 5, 5}, 25, 20 * 25 / 4.0, "W0");
  auto w1 = uniform_weights(rng, {50, 20, 5, 5}, 500, 50 * 25 / 4.0, "W1");
  auto w2 = uniform_weights(rng, {800, 500}, 800, 500, "W2");
  auto w3 = theon::shared(theon::array(std::vector<float>(500 * 10, 0.0f), {500, 10}), "W3");
  auto b0 = zeros(20, "b0"), b1 = zeros(50, "b1"), b2 = zeros(500, "b2"), b3 = zeros(10, "b3");

  // conv 5x5 -> 2x2 max-pooling -> + bias -> tanh: 28x28 -> 24x24 -> 12x12 -> 8x8 -> 4x4.
  auto block = [](const theon::Var& in, const theon::Var& w, const theon::Var& b) {
    auto pooled = signal::pool_2d(nnet::conv2d(in, w), {2, 2}, /*ignore_border=*/true);
    return T::tanh(pooled + T::dimshuffle(b, {'x', 0, 'x', 'x'}));
  };
  auto h1 = block(block(x, w0, b0), w1, b1);
  auto h2 = T::tanh(T::dot(T::flatten(h1, 2), w2) + b2);
  auto p = nnet::softmax(T::dot(h2, w3) + b3);
  auto cost = T::mean(nnet::categorical_crossentropy(p, y));
  auto errors = T::mean(T::neq(T::argmax(p, 1), y));

  std::vector<theon::SharedVar> params = {w0, b0, w1, b1, w2, b2, w3, b3};
  auto grads = T::grad(cost, std::vector<theon::Var>(params.begin(), params.end()));
  // The learning rate as a float32 constant keeps the parameters float32.
  auto learning_rate = theon::constant(theon::array(0.1f));
  theon::Updates updates;
  for (size_t i = 0; i < params.size(); ++i) updates.push_back({params[i], params[i] - learning_rate * grads[i]});
  auto train_step = theon::function({x, y}, cost, updates);
  auto error_of = theon::function({x, y}, errors);

  auto batch = [](const Dataset& d, int i) {
    const theon::Slice rows{i * kBatch, (i + 1) * kBatch};
    return std::pair{d.images.slice(0, rows), d.labels.slice(0, rows)};
  };
  std::ofstream cost_csv("cpp_lenet5_cost.csv"), error_csv("cpp_lenet5_valid_error.csv");
  cost_csv << "step,cost\n";
  error_csv << "step,cost\n";
  const int n_train = 4000 / kBatch, n_valid = 1000 / kBatch;
  double first_error = 0, last_error = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= 6; ++epoch) {
    double cost_sum = 0, error_sum = 0;
    for (int i = 0; i < n_train; ++i) {
      auto [images, labels] = batch(train, i);
      cost_sum += train_step(images, labels).array().item<double>();
    }
    for (int i = 0; i < n_valid; ++i) {
      auto [images, labels] = batch(valid, i);
      error_sum += error_of(images, labels).array().item<double>();
    }
    const double valid_error = 100 * error_sum / n_valid;
    std::cout << "epoch " << epoch << ", training cost " << cost_sum / n_train
              << ", validation error " << valid_error << " %\n";
    cost_csv << epoch << "," << cost_sum / n_train << "\n";
    error_csv << epoch << "," << valid_error << "\n";
    (epoch == 1 ? first_error : last_error) = valid_error;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "trained 6 epochs in " << seconds << " s\n"
            << "validation error decreased: " << (last_error < first_error ? "true" : "false") << "\n";
}
