#include "theon/shared.hpp"

#include "compile/shared_values.hpp"

namespace theon {

SharedVar::SharedVar(const Var& v) : Var(v) {
  THEON_CHECK_USER(v.is_shared(), TypeError) << describe(v) << " is not a shared variable";
}

NDArray SharedVar::get_value(bool borrow) const {
  NDArray value;
  {
    detail::SharedValuesLock lock;
    value = shared_storage()->value;
  }
  return borrow ? value : value.copy();
}

void SharedVar::set_value(const NDArray& value, bool borrow) {
  std::string what = "set_value of " + (name().empty() ? std::string("shared variable") : name());
  // filter converts only when allowed; a converted value is already a private copy.
  NDArray accepted = type().filter(value, /*allow_downcast=*/false, what);
  const bool converted = accepted.raw() != value.raw();
  NDArray replacement = (borrow || converted) ? accepted : accepted.copy();
  {
    detail::SharedValuesLock lock;
    std::swap(shared_storage()->value, replacement);
  }
  // `replacement` (the old value) is dropped here, outside the lock.
}

void SharedVar::set_default_update(const Var& expression) {
  THEON_CHECK_USER(expression.defined(), ValueError)
      << "set_default_update of " << describe(*this) << ": undefined expression";
  THEON_CHECK_USER(expression.dtype() == dtype() && expression.ndim() == ndim(), TypeError)
      << "set_default_update of " << describe(*this) << ": the expression is a "
      << expression.type().str() << ", the variable a " << type().str();
  shared_storage()->default_update = expression.node();
}

void SharedVar::clear_default_update() { shared_storage()->default_update.reset(); }

Var SharedVar::default_update() const { return Var(shared_storage()->default_update.lock()); }

SharedVar shared(const NDArray& value, std::string name, BroadcastPattern broadcastable, bool borrow,
                 Loc loc) {
  THEON_CHECK_USER(value.defined(), ValueError) << "shared: undefined array";
  THEON_CHECK_USER(static_cast<int>(broadcastable.size()) == value.ndim(), ValueError)
      << "shared: broadcastable has " << broadcastable.size() << " entries for an array of "
      << value.ndim() << " dimensions";
  Var v = make_variable(TensorType(value.dtype(), broadcastable), std::move(name), loc);
  v.get()->storage = std::make_shared<SharedStorage>();
  SharedVar s(v);
  s.set_value(value, borrow);
  return s;
}

SharedVar shared(const NDArray& value, std::string name, bool borrow, Loc loc) {
  THEON_CHECK_USER(value.defined(), ValueError) << "shared: undefined array";
  return shared(value, std::move(name), BroadcastPattern(value.ndim(), false), borrow, loc);
}

}  // namespace theon
