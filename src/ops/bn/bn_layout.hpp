// How batch normalization walks its operands: every element belongs to one channel (its
// index on the kept axes), and the loops run over innermost rows of the input.
//
// Neighbouring axes with the same role (both normalized or both kept) merge when every
// operand's memory allows it, so that an NCHW input normalized per channel is walked as
// (N, C, H*W): rows of H*W values of one channel. Channels are numbered row-major over
// the kept axes, which is the order of the (contiguous) statistics outputs.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"
#include "theon/array.hpp"

namespace theon::detail::bn {

template <size_t N>
class ChannelLayout {
 public:
  // `operands` all have the shape of operands[0]; normalized[d] says whether axis d is one
  // of the normalization axes.
  ChannelLayout(const std::array<const NDArray*, N>& operands,
                const std::vector<bool>& normalized) {
    const NDArray& x = *operands[0];
    for (int d = 0; d < x.ndim(); ++d) {
      const int64_t length = x.shape(d);
      if (length == 1) continue;  // no role: its stride is never used
      const bool norm = normalized[static_cast<size_t>(d)];
      bool merge = !shape_.empty() && normalized_.back() == norm;
      for (size_t k = 0; k < N && merge; ++k)
        merge = strides_[k].back() == length * operands[k]->strides()[d];
      if (merge) {
        shape_.back() *= length;
        for (size_t k = 0; k < N; ++k) strides_[k].back() = operands[k]->strides()[d];
      } else {
        shape_.push_back(length);
        normalized_.push_back(norm);
        for (size_t k = 0; k < N; ++k) strides_[k].push_back(operands[k]->strides()[d]);
      }
    }
    if (shape_.empty()) {  // every length is 1 (or the rank is 0): one row of one value
      shape_.push_back(1);
      normalized_.push_back(true);
      for (size_t k = 0; k < N; ++k) strides_[k].push_back(0);
    }
    channel_step_.assign(shape_.size(), 0);
    channels_ = 1;
    per_channel_ = 1;
    for (size_t d = shape_.size(); d-- > 0;) {
      if (normalized_[d]) {
        per_channel_ *= shape_[d];
      } else {
        channel_step_[d] = channels_;
        channels_ *= shape_[d];
      }
    }
    const size_t last = shape_.size() - 1;
    row_length_ = shape_[last];
    rows_ = row_length_ == 0 ? 0 : x.size() / row_length_;
  }

  int64_t channels() const { return channels_; }
  int64_t per_channel() const { return per_channel_; }
  int64_t rows() const { return rows_; }
  int64_t row_length() const { return row_length_; }
  // Element stride of operand k along a row, and the channel step along it (0 when the
  // whole row is one channel).
  int64_t row_stride(size_t k) const { return strides_[k].back(); }
  int64_t row_channel_step() const { return channel_step_.back(); }

  // The offset in operand k of channel c's first element (all normalized indices 0).
  int64_t channel_offset(size_t k, int64_t c) const {
    int64_t offset = 0;
    for (size_t d = 0; d < shape_.size(); ++d)
      if (!normalized_[d]) offset += (c / channel_step_[d]) % shape_[d] * strides_[k][d];
    return offset;
  }

  // Calls row(offsets, channel) for the rows [begin, end), where offsets[k] is the row's
  // first element in operand k and channel the channel of that element.
  template <class Row>
  void for_rows(int64_t begin, int64_t end, Row&& row) const {
    if (begin >= end) return;
    const int outer = static_cast<int>(shape_.size()) - 1;
    std::array<int64_t, N> offsets{};
    int64_t channel = 0;
    std::array<int64_t, 8> small{};
    std::vector<int64_t> large;
    int64_t* index = small.data();
    if (outer > 8) {
      large.assign(static_cast<size_t>(outer), 0);
      index = large.data();
    }
    int64_t rest = begin;
    for (int d = outer - 1; d >= 0; --d) {
      index[d] = rest % shape_[d];
      rest /= shape_[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += index[d] * strides_[k][d];
      channel += index[d] * channel_step_[d];
    }
    for (int64_t r = begin; r < end; ++r) {
      row(offsets, channel);
      for (int d = outer - 1; d >= 0; --d) {  // an odometer over the outer axes
        for (size_t k = 0; k < N; ++k) offsets[k] += strides_[k][d];
        channel += channel_step_[d];
        if (++index[d] < shape_[d]) break;
        for (size_t k = 0; k < N; ++k) offsets[k] -= strides_[k][d] * shape_[d];
        channel -= channel_step_[d] * shape_[d];
        index[d] = 0;
      }
    }
  }

 private:
  std::vector<int64_t> shape_;
  std::vector<bool> normalized_;
  std::array<std::vector<int64_t>, N> strides_;
  std::vector<int64_t> channel_step_;
  int64_t channels_ = 1, per_channel_ = 1, rows_ = 0, row_length_ = 0;
};

// Below this many elements a pass runs on one thread: waking the pool costs more.
inline constexpr int64_t kParallelElements = int64_t{1} << 15;

// How many tasks a pass over `rows` rows of `row_length` values uses.
inline int task_count(int64_t rows, int64_t row_length) {
  if (rows * std::max<int64_t>(row_length, 1) < kParallelElements) return 1;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(rows, max_threads())));
}

// Runs body(task, begin, end) over [0, rows) split into `tasks` ranges, on the pool when
// there are several. body must not throw.
template <class Body>
void for_tasks(int tasks, int64_t rows, Body&& body) {
  if (tasks <= 1) {
    body(0, int64_t{0}, rows);
    return;
  }
  parallel_for(tasks,
               [&](int task) { body(task, rows * task / tasks, rows * (task + 1) / tasks); });
}

}  // namespace theon::detail::bn
