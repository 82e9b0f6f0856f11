// Data-parallel training of W5's MLP (784-512-512-10, ReLU, softmax cross-entropy, SGD,
// float32, global batch 256) on synthetic MNIST-shaped data (docs/distributed.md):
//
//   distributed_mlp                              one process, a world of size 1
//   mpirun -np 2 --oversubscribe distributed_mlp two ranks: the same final loss
//
// Every rank makes the same data and starts from rank 0's parameters (broadcast); a
// DistributedSampler gives each rank every size-th index of one shuffled order per epoch,
// so the ranks' batches together are the single process's batch, and allreduce averages
// the gradients (and the loss) before the same update on every rank. Prints per-rank
// throughput and the final loss. Writes cpp_distributed_mlp_cost.csv in a world of 1.
#include <theon/distributed.hpp>
#include <theon/theon.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <vector>

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
namespace D = theon::distributed;

namespace {

constexpr int kTrain = 2048, kPixels = 784, kClasses = 10, kGlobalBatch = 256, kEpochs = 3;

// Each class a fixed random 28x28 pattern of bright blocks; a sample is its class's
// pattern plus noise, clipped to [0, 1]: learnable, MNIST-shaped, nothing downloaded.
struct Dataset {
  std::vector<float> images;  // kTrain x kPixels
  std::vector<int64_t> labels;
};

Dataset make_dataset(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  std::vector<float> patterns(kClasses * kPixels);
  for (int c = 0; c < kClasses; ++c)
    for (int block = 0; block < 49; ++block) {  // 7x7 blocks of 4x4 pixels
      const float level = unit(rng) < 0.3f ? 1.0f : 0.0f;
      for (int k = 0; k < 16; ++k)
        patterns[c * kPixels + ((block / 7) * 4 + k / 4) * 28 + (block % 7) * 4 + k % 4] = level;
    }
  Dataset d{std::vector<float>(kTrain * kPixels), std::vector<int64_t>(kTrain)};
  std::uniform_int_distribution<int> label(0, kClasses - 1);
  for (int i = 0; i < kTrain; ++i) {
    d.labels[i] = label(rng);
    for (int k = 0; k < kPixels; ++k)
      d.images[i * kPixels + k] = std::clamp(patterns[d.labels[i] * kPixels + k] + noise(rng), 0.0f, 1.0f);
  }
  return d;
}

theon::SharedVar glorot(std::mt19937& rng, int fan_in, int fan_out, const char* name) {
  const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  std::uniform_real_distribution<float> u(-limit, limit);
  std::vector<float> values(static_cast<size_t>(fan_in) * fan_out);
  for (float& v : values) v = u(rng);
  return theon::shared(theon::array(values, {fan_in, fan_out}), name);
}

theon::SharedVar zeros(int n, const char* name) {
  return theon::shared(theon::array(std::vector<float>(n, 0.0f), {n}), name);
}

}  // namespace

int main() {
  D::init();
  const int rank = D::rank(), size = D::size();
  if (kGlobalBatch % size != 0) {
    std::fprintf(stderr, "the global batch of %d rows does not split over %d ranks\n", kGlobalBatch, size);
    return 1;
  }
  const int local_batch = kGlobalBatch / size;
  const Dataset data = make_dataset(1234);

  std::mt19937 rng(5);
  auto w1 = glorot(rng, kPixels, 512, "W1"), w2 = glorot(rng, 512, 512, "W2"),
       w3 = glorot(rng, 512, kClasses, "W3");
  auto b1 = zeros(512, "b1"), b2 = zeros(512, "b2"), b3 = zeros(kClasses, "b3");
  const std::vector<theon::SharedVar> params = {w1, b1, w2, b2, w3, b3};
  D::broadcast(params);  // the replicas start identical, whatever each rank drew

  auto x = T::fmatrix("x");
  auto y = T::lvector("y");
  auto h1 = nnet::relu(T::dot(x, w1) + b1);
  auto h2 = nnet::relu(T::dot(h1, w2) + b2);
  auto p = nnet::softmax(T::dot(h2, w3) + b3);
  auto loss = T::mean(nnet::categorical_crossentropy(p, y));
  // The mean over ranks of each rank's mean gradient is the global batch's; the loss rides
  // along in the same all-reduce.
  theon::Vars to_reduce = T::grad(loss, std::vector<theon::Var>(params.begin(), params.end()));
  to_reduce.push_back(loss);
  const theon::Vars reduced = D::allreduce(to_reduce, D::ReduceOp::Mean);
  auto learning_rate = theon::constant(theon::array(0.1f));  // float32 keeps W float32
  theon::Updates updates;
  for (size_t i = 0; i < params.size(); ++i) updates.push_back({params[i], params[i] - learning_rate * reduced[i]});
  auto step = theon::function({x, y}, reduced.back(), updates);

  D::DistributedSampler sampler(kTrain, /*shuffle=*/true, /*seed=*/0, /*drop_last=*/true);
  std::vector<float> batch_images(static_cast<size_t>(local_batch) * kPixels);
  std::vector<int64_t> batch_labels(local_batch);
  std::vector<double> costs;
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    sampler.set_epoch(epoch);
    const std::vector<int64_t> order = sampler.indices();
    for (size_t first = 0; first + local_batch <= order.size(); first += local_batch) {
      for (int r = 0; r < local_batch; ++r) {
        const int64_t row = order[first + r];
        std::copy_n(data.images.begin() + row * kPixels, kPixels, batch_images.begin() + r * kPixels);
        batch_labels[r] = data.labels[row];
      }
      costs.push_back(step(theon::array(batch_images, {local_batch, kPixels}),
                           theon::array(batch_labels, {local_batch})).array().item<double>());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double samples = static_cast<double>(costs.size()) * local_batch;
  std::printf("rank %d of %d: %zu steps of %d rows in %.2f s: %.0f samples/s\n", rank, size,
              costs.size(), local_batch, seconds, samples / seconds);
  std::fflush(stdout);
  auto rate = T::dscalar("rate");
  const double total_rate =
      theon::function({rate}, D::allreduce({rate}, D::ReduceOp::Sum)[0])(samples / seconds).array().item<double>();
  if (rank == 0) {
    std::printf("all %d ranks: %.0f samples/s, %.2f ms per global step\n", size, total_rate,
                1e3 * seconds / static_cast<double>(costs.size()));
    std::printf("loss %.6f -> final loss %.6f\n", costs.front(), costs.back());
    if (size == 1) {
      std::ofstream csv("cpp_distributed_mlp_cost.csv");
      csv << "step,cost\n";
      for (size_t i = 0; i < costs.size(); ++i) csv << i << "," << costs[i] << "\n";
    }
  }
}
