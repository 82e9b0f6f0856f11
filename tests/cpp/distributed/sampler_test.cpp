// shard_range and DistributedSampler: pure functions of their numbers (no MPI).
#include <algorithm>
#include <set>

#include "test_util.hpp"
#include "theon/distributed.hpp"

namespace D = theon::distributed;

TEST(ShardRange, ContiguousCoveringAndBalanced) {
  for (int64_t n : {0, 1, 7, 10, 12}) {
    for (int world : {1, 2, 3, 4}) {
      int64_t next = 0;
      for (int r = 0; r < world; ++r) {
        const D::Range s = D::shard_range(n, r, world);
        EXPECT_EQ(s.begin, next) << n << " " << world << " " << r;
        const int64_t len = s.end - s.begin;
        EXPECT_TRUE(len == n / world || len == n / world + 1);
        next = s.end;
      }
      EXPECT_EQ(next, n);
    }
  }
  // 10 rows over 4 ranks: 3, 3, 2, 2
  EXPECT_EQ(D::shard_range(10, 1, 4).begin, 3);
  EXPECT_EQ(D::shard_range(10, 1, 4).end, 6);
  EXPECT_EQ(D::shard_range(10, 3, 4).end, 10);
}

TEST(ShardRange, DropRemainderGivesEqualShards) {
  for (int r = 0; r < 4; ++r) {
    const D::Range s = D::shard_range(10, r, 4, /*drop_remainder=*/true);
    EXPECT_EQ(s.begin, 2 * r);
    EXPECT_EQ(s.end - s.begin, 2);
  }
}

TEST(ShardRange, BadRankIsValueError) {
  EXPECT_TRUE(theon::testing::throws_with<theon::ValueError>([] { D::shard_range(10, 4, 4); },
                                                             {"shard_range", "rank=4", "size=4"}));
}

TEST(DistributedSampler, SharesAreDisjointAndCoverTheData) {
  for (int world : {1, 2, 3, 4}) {
    std::multiset<int64_t> seen;
    for (int r = 0; r < world; ++r) {
      D::DistributedSampler s(10, true, 7, false, r, world);
      s.set_epoch(3);
      auto idx = s.indices();
      EXPECT_EQ(static_cast<int64_t>(idx.size()), s.size());
      EXPECT_EQ(s.size(), (10 + world - 1) / world);
      seen.insert(idx.begin(), idx.end());
    }
    for (int64_t i = 0; i < 10; ++i) EXPECT_GE(seen.count(i), 1u) << i;
    // Padding repeats only as many as needed to make equal shares.
    EXPECT_EQ(static_cast<int64_t>(seen.size()), ((10 + world - 1) / world) * world);
  }
}

TEST(DistributedSampler, DropLastGivesDisjointEqualShares) {
  std::set<int64_t> seen;
  for (int r = 0; r < 4; ++r) {
    auto idx = D::DistributedSampler(10, true, 1, true, r, 4).indices();
    EXPECT_EQ(idx.size(), 2u);
    for (int64_t i : idx) EXPECT_TRUE(seen.insert(i).second) << "index " << i << " twice";
  }
}

TEST(DistributedSampler, SamePermutationOnEveryRankAndNewPerEpoch) {
  // Rank r's share is the permutation's positions r, r + size, ...: interleaving the
  // shares rebuilds one permutation, which single-rank sampling gives too.
  auto whole = [](int64_t epoch) {
    D::DistributedSampler one(12, true, 5, false, 0, 1);
    one.set_epoch(epoch);
    return one.indices();
  };
  for (int64_t epoch : {0, 1}) {
    std::vector<int64_t> rebuilt(12);
    for (int r = 0; r < 3; ++r) {
      D::DistributedSampler s(12, true, 5, false, r, 3);
      s.set_epoch(epoch);
      auto idx = s.indices();
      for (size_t k = 0; k < idx.size(); ++k) rebuilt[k * 3 + r] = idx[k];
    }
    EXPECT_EQ(rebuilt, whole(epoch));
  }
  EXPECT_NE(whole(0), whole(1));
  auto sorted = whole(0);
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(DistributedSampler, WithoutShuffleIsStrided) {
  auto idx = D::DistributedSampler(5, false, 0, false, 1, 2).indices();
  EXPECT_EQ(idx, (std::vector<int64_t>{1, 3, 0}));  // padded with index 0
}
