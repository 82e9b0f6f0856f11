// Shared variables: symbolic variables with a value that lives between function calls
// (a model's parameters). A function reads their current value and its updates write
// new ones after every output is computed.
//
//   auto w = theon::shared(theon::array({0.2, 0.7}), "w");
//   w.get_value();                 // a copy of the value
//   w.set_value(theon::array({0.0, 0.0}));
#pragma once

#include <string>

#include "theon/tensor.hpp"

namespace theon {

class SharedVar : public Var {
 public:
  SharedVar() = default;
  explicit SharedVar(const Var& v);

  // The current value: a copy, or with borrow=true the stored array itself (later
  // updates replace it rather than write into it).
  NDArray get_value(bool borrow = false) const;
  // Replaces the value. Its ndim must match, length-1 dimensions must stay length 1
  // where the type says broadcastable, and its dtype must convert safely (TypeError
  // otherwise; nothing changes). Copies unless borrow=true.
  void set_value(const NDArray& value, bool borrow = false);

  // Theano's default_update: the new value function() gives this variable after each
  // call unless the call's updates name it or no_default_updates says not to (random
  // streams advance their state this way). Kept weakly (see SharedStorage): it applies
  // while the expression is alive, so hold the Var that you pass.
  //   auto count = theon::shared(0, "count");
  //   Var next = count + 1;
  //   count.set_default_update(next);   // every function reading count increments it
  void set_default_update(const Var& expression);
  void clear_default_update();
  // The expression, or an undefined Var when there is none (or it was freed).
  Var default_update() const;
};

// A shared variable holding `value` (copied unless borrow=true). Its type has the
// value's dtype and rank; `broadcastable` defaults to all false, as in Theano.
SharedVar shared(const NDArray& value, std::string name = "", bool borrow = false,
                 Loc loc = Loc::current());
SharedVar shared(const NDArray& value, std::string name, BroadcastPattern broadcastable,
                 bool borrow = false, Loc loc = Loc::current());
// A 0-d shared variable: shared(0, "count") is int64, shared(1.0, "b") float64.
template <Arithmetic T>
SharedVar shared(T value, std::string name = "", Loc loc = Loc::current()) {
  return shared(array(value), std::move(name), false, loc);
}

}  // namespace theon
