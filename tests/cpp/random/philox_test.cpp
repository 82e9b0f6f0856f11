// The generator itself: Philox4x32-10 against the published known answers, and the fill
// loops (AVX-512 where the CPU has it, threads for large draws) against a plain
// evaluation of the layout that philox.hpp documents.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ops/random/philox.hpp"
#include "ops/random/philox_fill.hpp"

namespace theon::detail::philox {
namespace {

// Random123's kat_vectors, the three "philox4x32 10" lines (counter[4] key[2] -> out[4]):
//   philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000  6627e8d5 e169c58d bc57ac4c 9b00dbd8
//   philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff  408f276d 41c83b0e a20bc7c6 6d5451fd
//   philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0  d16cfe09 94fdcceb 5001e420 24126ea1
TEST(Philox, KnownAnswerVectors) {
  struct Case {
    Words4 counter;
    uint32_t k0, k1;
    Words4 want;
  };
  const Case cases[] = {
      {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  for (const Case& c : cases) {
    const Words4 got = philox4x32_10(c.counter, c.k0, c.k1);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(got.w[w], c.want.w[w]) << "word " << w;
  }
}

// Word w of block (base + l) is element 16 w + l of a group; float32 uniforms are the top
// 24 bits of one word, float64 ones the top 53 of (word 2j + 1 << 32 | word 2j).
Words4 block_words(const Position& at, uint64_t block) {
  return philox4x32_10({{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                         static_cast<uint32_t>(at.stream), static_cast<uint32_t>(at.stream >> 32)}},
                       static_cast<uint32_t>(at.key), static_cast<uint32_t>(at.key >> 32));
}

float expected_f32(const Position& at, int64_t i) {
  const uint64_t group = static_cast<uint64_t>(i / 64), r = static_cast<uint64_t>(i % 64);
  const Words4 w = block_words(at, at.block + 16 * group + r % 16);
  return static_cast<float>(w.w[r / 16] >> 8) * 0x1p-24f;
}

double expected_f64(const Position& at, int64_t i) {
  const uint64_t group = static_cast<uint64_t>(i / 32), r = static_cast<uint64_t>(i % 32);
  const Words4 w = block_words(at, at.block + 16 * group + r % 16);
  const uint64_t j = r / 16;
  const uint64_t bits = (static_cast<uint64_t>(w.w[2 * j + 1]) << 32) | w.w[2 * j];
  return static_cast<double>(bits >> 11) * 0x1p-53;
}

TEST(Philox, UniformFollowsTheDocumentedLayout) {
  // The block counter's low word wraps inside the first group: the carry must reach word 1.
  const Position at{0x0123456789abcdefull, 7, 0x00000001fffffff8ull};
  for (int64_t n : {1, 63, 64, 65, 200, 1000}) {
    std::vector<float> f(static_cast<size_t>(n));
    std::vector<double> d(static_cast<size_t>(n));
    fill_uniform(at, f.data(), n);
    fill_uniform(at, d.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(f[static_cast<size_t>(i)], expected_f32(at, i)) << "n " << n << " i " << i;
      ASSERT_EQ(d[static_cast<size_t>(i)], expected_f64(at, i)) << "n " << n << " i " << i;
    }
  }
}

// Large draws run on several threads (when there are several), each on its own groups;
// the plain loop on one thread must give the same values.
TEST(Philox, LargeDrawsDoNotDependOnThreads) {
  const Position at{42, 3, 1000};
  const int64_t n = (int64_t{1} << 18) + 37;
  std::vector<float> threaded(static_cast<size_t>(n)), serial(static_cast<size_t>(n));
  fill_uniform(at, threaded.data(), n);
  fill_scalar(Fill::UniformF32, at, serial.data(), n);
  EXPECT_EQ(threaded, serial);
  std::vector<double> nt(static_cast<size_t>(n)), ns(static_cast<size_t>(n));
  fill_normal(at, nt.data(), n);
  fill_scalar(Fill::NormalF64, at, ns.data(), n);
  double worst = 0;
  for (size_t i = 0; i < nt.size(); ++i) worst = std::max(worst, std::abs(nt[i] - ns[i]));
  EXPECT_LT(worst, 1e-12);  // SLEEF against glibc: the same pairs, within an ulp or so
}

// A fused loop evaluates a draw piece by piece from any flat index (issue 13): the
// pieces must be the slices of the whole draw, from unaligned starts and lengths too.
TEST(Philox, UniformRangeIsASliceOfTheDraw) {
  const Position at{9, 4, 0x00000000fffffff0ull};  // the carry again, mid-draw
  const int64_t n = 5000;
  std::vector<float> f(static_cast<size_t>(n)), fr(static_cast<size_t>(n));
  std::vector<double> d(static_cast<size_t>(n)), dr(static_cast<size_t>(n));
  fill_uniform(at, f.data(), n);
  fill_uniform(at, d.data(), n);
  for (int64_t first : {0, 1, 15, 16, 31, 63, 64, 65, 255, 256, 1000})
    for (int64_t count : {1, 2, 33, 64, 200, 256, 999}) {
      if (first + count > n) continue;
      uniform_range(at, first, fr.data(), count);
      uniform_range(at, first, dr.data(), count);
      for (int64_t i = 0; i < count; ++i) {
        ASSERT_EQ(fr[static_cast<size_t>(i)], f[static_cast<size_t>(first + i)]) << first << "+" << i;
        ASSERT_EQ(dr[static_cast<size_t>(i)], d[static_cast<size_t>(first + i)]) << first << "+" << i;
      }
    }
}

TEST(Philox, ValueRanges) {
  const Position at{1, 0, 0};
  const int64_t n = 1 << 16;
  std::vector<float> f(n);
  fill_uniform(at, f.data(), n);
  for (float v : f) ASSERT_TRUE(v >= 0.0f && v < 1.0f);
  std::vector<float> z(n);
  fill_normal(at, z.data(), n);
  for (float v : z) ASSERT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace theon::detail::philox
