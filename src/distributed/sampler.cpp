// Data sharding: shard_range and DistributedSampler, which need no MPI (every rank
// computes the same answer from the same numbers).
#include <algorithm>
#include <numeric>
#include <random>

#include "theon/distributed.hpp"
#include "theon/error.hpp"

namespace theon::distributed {

Range shard_range(int64_t n, int r, int world, bool drop_remainder) {
  THEON_CHECK_USER(n >= 0 && world > 0 && r >= 0 && r < world, ValueError)
      << "shard_range: needs n >= 0 and 0 <= rank < size, got n=" << n << ", rank=" << r
      << ", size=" << world;
  const int64_t base = n / world, extra = drop_remainder ? 0 : n % world;
  const int64_t begin = r * base + std::min<int64_t>(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

DistributedSampler::DistributedSampler(int64_t n, bool shuffle, uint64_t seed, bool drop_last,
                                       int r, int world)
    : n_(n), shuffle_(shuffle), drop_last_(drop_last), seed_(seed),
      rank_(r < 0 ? rank() : r), size_(world < 0 ? distributed::size() : world) {
  THEON_CHECK_USER(n >= 0 && size_ > 0 && rank_ >= 0 && rank_ < size_, ValueError)
      << "DistributedSampler: needs n >= 0 and 0 <= rank < size, got n=" << n << ", rank="
      << rank_ << ", size=" << size_;
}

void DistributedSampler::set_epoch(int64_t epoch) { epoch_ = epoch; }

int64_t DistributedSampler::size() const {
  return drop_last_ ? n_ / size_ : (n_ + size_ - 1) / size_;
}

std::vector<int64_t> DistributedSampler::indices() const {
  std::vector<int64_t> all(n_);
  std::iota(all.begin(), all.end(), 0);
  if (shuffle_) {
    // mt19937_64 and a hand-written Fisher-Yates: std::shuffle's algorithm is the
    // library's choice, and every rank (and every platform) must draw the same order.
    std::mt19937_64 engine(seed_ * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch_));
    for (int64_t i = n_ - 1; i > 0; --i) {
      const int64_t j = static_cast<int64_t>(engine() % static_cast<uint64_t>(i + 1));
      std::swap(all[i], all[j]);
    }
  }
  const int64_t total = size() * size_;
  if (drop_last_) {
    all.resize(total);
  } else {
    // Pad by repeating from the start (more than once when n < size).
    for (int64_t i = 0; static_cast<int64_t>(all.size()) < total; ++i) all.push_back(all[i]);
  }
  std::vector<int64_t> mine;
  mine.reserve(size());
  for (int64_t i = rank_; i < total; i += size_) mine.push_back(all[i]);
  return mine;
}

}  // namespace theon::distributed
