// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): a counter-based generator. A 128-bit counter and a 64-bit key go through ten
// rounds of multiply-xor and come out as four 32-bit words; nothing is carried from one
// counter to the next, so any element of a stream is computed without its predecessors.
//
// Theon's streams (docs/random.md) use key = the seed, counter = (block lo, block hi,
// stream lo, stream hi). Values come in groups of 16 consecutive blocks, 64 words laid
// out word-major: word w of block (base + l) is element 16 w + l of the group. That is
// the order a 16-lane SIMD evaluation produces, and a scalar one can reproduce it.
#pragma once

#include <cstdint>

namespace theon::detail::philox {

// The published multipliers and round-key increments (Weyl sequence) of Philox4x32.
inline constexpr uint32_t kMul0 = 0xD2511F53u;
inline constexpr uint32_t kMul1 = 0xCD9E8D57u;
inline constexpr uint32_t kWeyl0 = 0x9E3779B9u;
inline constexpr uint32_t kWeyl1 = 0xBB67AE85u;
inline constexpr int kRounds = 10;
// Blocks per group, and words per group.
inline constexpr int kGroupBlocks = 16;
inline constexpr int kGroupWords = 4 * kGroupBlocks;

struct Words4 {
  uint32_t w[4];
};

// One Philox4x32-10 evaluation (counter c, key k).
inline Words4 philox4x32_10(Words4 c, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < kRounds; ++r) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c.w[0];
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c.w[2];
    c = Words4{{static_cast<uint32_t>(p1 >> 32) ^ c.w[1] ^ k0, static_cast<uint32_t>(p1),
                static_cast<uint32_t>(p0 >> 32) ^ c.w[3] ^ k1, static_cast<uint32_t>(p0)}};
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return c;
}

// Where a stream is: the key, the stream number (high half of the counter) and the next
// unused block (low half). The state shared variable holds these three as int64 bits.
struct Position {
  uint64_t key = 0;
  uint64_t stream = 0;
  uint64_t block = 0;
};

// The 64 words of the group starting at `block`, word-major (see above).
void group_words(const Position& at, uint32_t out[kGroupWords]);

// The values a draw of n elements takes from a stream, by generator output:
//   float32 uniform / normal: 64 per group (one word each; Box-Muller pairs words w, w+1)
//   float64 uniform / normal: 32 per group (two words each)
inline constexpr int64_t values_per_group(bool is_double) { return is_double ? 32 : 64; }
// Groups a draw of n values of that kind consumes (whole groups, so that the next draw
// starts on a group boundary).
inline uint64_t groups_for(int64_t n, bool is_double) {
  const int64_t per = values_per_group(is_double);
  return static_cast<uint64_t>((n + per - 1) / per);
}

// Fill out[0, n) with uniform values in [0, 1) (24 top bits for float, 53 for double) or
// standard normal values, drawn from the groups starting at `at`. Large draws run on
// several threads, each over its own range of groups: the values do not depend on the
// thread count.
void fill_uniform(const Position& at, float* out, int64_t n);
void fill_uniform(const Position& at, double* out, int64_t n);
void fill_normal(const Position& at, float* out, int64_t n);
void fill_normal(const Position& at, double* out, int64_t n);

// Elements [first, first + n) of the uniform draw that starts at `at`, on the calling
// thread: the same values as fill_uniform's out[first, first + n), computed from their
// groups alone (a fused loop evaluates a draw block by block, each block from its flat
// index; see docs/random.md).
void uniform_range(const Position& at, int64_t first, float* out, int64_t n);
void uniform_range(const Position& at, int64_t first, double* out, int64_t n);

}  // namespace theon::detail::philox
