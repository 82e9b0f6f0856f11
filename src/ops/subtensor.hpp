// Indexing ops. Basic indexing (integers and slices) is a view; integer-array
// indexing along axis 0 copies; the set/increment forms copy x, then write.
//
//   Subtensor{idx}(x, bounds...)                    x[idx]
//   IncSubtensor{idx, set}(x, y, bounds...)         x with x[idx] = y  (or += y)
//   AdvancedSubtensor1(x, i)                        x[i], i an int vector
//   AdvancedIncSubtensor1{set}(x, y, i)             x with x[i] = y  (or += y, as add.at)
//
// The index structure (which entries are integers or slices, and which of their bounds
// are absent, constant or symbolic) is a prop; symbolic bounds are extra inputs, in the
// order they appear in the structure.
#pragma once

#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// One integer or slice bound: absent (Python's None), known now, or read from an input.
struct IndexBound {
  enum class Kind : uint8_t { Absent, Constant, Input };
  Kind kind = Kind::Absent;
  int64_t value = 0;  // for Constant

  bool is_input() const { return kind == Kind::Input; }
  friend bool operator==(const IndexBound&, const IndexBound&) = default;
};

// An integer entry uses `start` (never Absent); a slice uses all three.
struct IndexEntry {
  bool is_slice = false;
  IndexBound start, stop, step;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};
using IndexList = std::vector<IndexEntry>;

// How many inputs (symbolic bounds) the structure reads.
int count_inputs(const IndexList& list);
// "0, ::-1, $:$" ($ marks a symbolic bound): the props of the ops, and how pp prints
// them with `names` (the printed bound inputs) in place of the $.
std::string index_list_str(const IndexList& list, std::span<const std::string> names = {});
// The output broadcast pattern of x[list].
BroadcastPattern indexed_broadcastable(const IndexList& list, const BroadcastPattern& x);
// x[list] as a view of x; `bounds` are the values of the symbolic bounds. IndexError
// (naming `op`) for an integer out of range, ValueError for a zero step.
NDArray apply_index(const IndexList& list, const NDArray& x, std::span<const NDArray* const> bounds,
                    std::string_view op);
// `y` (typed `y_type`) broadcast to `shape` by Theano's rule: y is padded on the left,
// and only its broadcastable dimensions stretch. ShapeError naming `op` otherwise.
NDArray broadcast_value(const NDArray& y, const TensorType& y_type, const Shape& shape,
                        std::string_view op);
// dst += src, elementwise, same dtype and shape (src may have zero strides).
void add_into(const NDArray& dst, const NDArray& src);
// gy (the gradient of y broadcast to the indexed shape) summed back to y's type.
Var sum_to_value(const Var& gy, const Var& y, const Loc& loc);

class Subtensor final : public Op {
 public:
  explicit Subtensor(IndexList list) : list_(std::move(list)) {}
  const IndexList& index_list() const { return list_; }

  std::string name() const override { return "subtensor"; }
  std::string props() const override { return index_list_str(list_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  IndexList list_;
};

class IncSubtensor final : public Op {
 public:
  IncSubtensor(IndexList list, bool set) : list_(std::move(list)), set_(set) {}
  const IndexList& index_list() const { return list_; }
  bool is_set() const { return set_; }

  std::string name() const override { return set_ ? "set_subtensor" : "inc_subtensor"; }
  std::string props() const override { return index_list_str(list_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  IndexList list_;
  bool set_;
};

class AdvancedSubtensor1 final : public Op {
 public:
  std::string name() const override { return "advanced_subtensor1"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;
};

class AdvancedIncSubtensor1 final : public Op {
 public:
  explicit AdvancedIncSubtensor1(bool set) : set_(set) {}
  bool is_set() const { return set_; }

  std::string name() const override {
    return set_ ? "advanced_set_subtensor1" : "advanced_inc_subtensor1";
  }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  bool set_;
};

// Node builders for code that already holds a structure (gradients, rewrites). `y` is
// used as given: its dtype must be x's, and its rank at most the indexed rank.
Var subtensor(const Var& x, const IndexList& list, const Vars& bounds, const Loc& loc);
Var inc_subtensor(const Var& x, const Var& y, const IndexList& list, const Vars& bounds, bool set,
                  const Loc& loc);
Var advanced_subtensor1(const Var& x, const Var& idx, const Loc& loc);
Var advanced_inc_subtensor1(const Var& x, const Var& y, const Var& idx, bool set, const Loc& loc);

}  // namespace theon::detail
