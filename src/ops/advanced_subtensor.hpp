// NumPy's full indexing: integer arrays in any positions, boolean masks, integers,
// slices and new axes, in one index (AdvancedSubtensor), and its set / increment form.
//
//   AdvancedSubtensor{index}(x, entry inputs...)          x[index]
//   AdvancedIncSubtensor{index, set}(x, y, entry inputs...) x with x[index] = y (or += y)
//
// The entry inputs are read entry by entry: a slice's or an integer's symbolic bounds,
// an integer array, a boolean mask. When the index holds an array or a mask, its
// integers count as 0-d index arrays, as in NumPy: all of them broadcast together to
// the "index shape", whose dimensions stand where the first of them stands when they
// are adjacent in the index, and lead the result otherwise (a slice or a new axis
// between them separates them). A mask of rank k reads k axes of x and means the k
// integer arrays of its nonzero(), so the length it gives is known only at run time.
#pragma once

#include <string>
#include <vector>

#include "ops/subtensor.hpp"

namespace theon::detail {

struct AdvancedEntry {
  enum class Kind : uint8_t { Slice, Scalar, Array, Mask, NewAxis };
  Kind kind = Kind::Slice;
  IndexEntry basic;  // the bounds of a Slice (is_slice) or of a Scalar (start)
  friend bool operator==(const AdvancedEntry&, const AdvancedEntry&) = default;

  bool is_advanced() const { return kind == Kind::Scalar || kind == Kind::Array || kind == Kind::Mask; }
};
using AdvancedIndex = std::vector<AdvancedEntry>;

// One dimension of the result: a dimension of the broadcast index shape, an axis of x
// that the index keeps (sliced or whole), or a new axis of length 1.
struct ResultDim {
  enum class Kind : uint8_t { Index, Kept, New };
  Kind kind;
  int at;  // Index: which index dimension; Kept: which axis of x
};

// What the types say about x[index]: which axes of x each entry reads, which input it
// reads first, and where every result dimension comes from.
struct AdvancedLayout {
  std::vector<int> first_axis;   // per entry; -1 for a new axis
  std::vector<int> first_input;  // per entry, among the entry inputs; -1 when none
  std::vector<int> sliced_entry; // per axis of x: the Slice entry reading it, or -1
  int index_ndim = 0;            // rank of the broadcast index shape
  std::vector<ResultDim> dims;
};

// `inputs` are the entry inputs only. TypeError / IndexError naming `op` for arrays that
// are not integers or booleans, too many indices, a 0-d mask.
AdvancedLayout plan_advanced(const AdvancedIndex& index, int x_ndim, std::span<const Var> inputs,
                             std::string_view op);
int count_inputs(const AdvancedIndex& index);
// "0, ::-1, [], [mask], None" with `names` (the printed entry inputs) in place of the
// arrays and symbolic bounds when given.
std::string advanced_index_str(const AdvancedIndex& index, std::span<const std::string> names = {});
BroadcastPattern advanced_broadcastable(const AdvancedIndex& index, const AdvancedLayout& layout,
                                        const Var& x, std::span<const Var> inputs);

// x[index] resolved against values: the positions it selects, as element offsets into
// `view` (x with its slices applied) for every point of the index shape in C order, and
// the kept axes, walked for each. IndexError (NumPy's words) for an index out of range,
// arrays that do not broadcast, a mask whose shape does not match x.
struct ResolvedIndex {
  NDArray view;
  Shape index_shape;
  std::vector<int64_t> offsets;
  Shape kept_shape;
  Strides kept_strides;  // of view
  Shape result_shape;
  std::vector<int> index_dims_at, kept_dims_at;  // their positions in the result
};
ResolvedIndex resolve_advanced(const AdvancedIndex& index, const AdvancedLayout& layout,
                               const NDArray& x, std::span<const NDArray* const> inputs,
                               std::string_view op);

class AdvancedSubtensor final : public Op {
 public:
  explicit AdvancedSubtensor(AdvancedIndex index) : index_(std::move(index)) {}
  const AdvancedIndex& index() const { return index_; }

  std::string name() const override { return "advanced_subtensor"; }
  std::string props() const override { return advanced_index_str(index_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  AdvancedIndex index_;
};

class AdvancedIncSubtensor final : public Op {
 public:
  AdvancedIncSubtensor(AdvancedIndex index, bool set) : index_(std::move(index)), set_(set) {}
  const AdvancedIndex& index() const { return index_; }
  bool is_set() const { return set_; }

  std::string name() const override { return set_ ? "advanced_set_subtensor" : "advanced_inc_subtensor"; }
  std::string props() const override { return advanced_index_str(index_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  AdvancedIndex index_;
  bool set_;
};

Var advanced_subtensor(const Var& x, const AdvancedIndex& index, const Vars& inputs, const Loc& loc);
Var advanced_inc_subtensor(const Var& x, const Var& y, const AdvancedIndex& index, const Vars& inputs,
                           bool set, const Loc& loc);

// For the rewrite of x[arange(n), labels] (n = len(labels), or the rows of x when that
// is proven) into ops that take one label per row: labels broadcast to length n and
// made non-negative, after the checks that indexing would make, with its messages:
// labels broadcast against arange(n), n <= rows, and every label in [-classes, classes).
// advanced_subtensor_labels.cpp.
Var row_labels(const Var& labels, const Var& n, const Var& rows, const Var& classes, const Loc& loc);

}  // namespace theon::detail
