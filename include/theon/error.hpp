// Exceptions. A UserError (TypeError, ShapeError, ValueError) says what the caller did
// wrong and where in their code the variables involved were made. An InternalError is
// a bug in Theon.
#pragma once

#include <source_location>
#include <sstream>
#include <stdexcept>
#include <string>

namespace theon {

// Where in the user's code something was made. Public functions take a defaulted
// `Loc loc = Loc::current()` so that it names the caller's line.
using Loc = std::source_location;

// "train.cpp:12 in build_model"; an empty string for a default-constructed Loc.
std::string format_loc(const Loc& loc);

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // Throws a copy of this exception, of the same dynamic type, with `extra` appended to
  // its message (the VM adds the node and its inputs this way).
  [[noreturn]] virtual void rethrow_with(const std::string& extra) const = 0;
};

#define THEON_DECLARE_ERROR(NAME, BASE)                                        \
  class NAME : public BASE {                                                   \
   public:                                                                     \
    using BASE::BASE;                                                          \
    [[noreturn]] void rethrow_with(const std::string& extra) const override {  \
      throw NAME(std::string(what()) + extra);                                 \
    }                                                                          \
  }

class UserError : public Error {
 public:
  using Error::Error;
};
THEON_DECLARE_ERROR(TypeError, UserError);
THEON_DECLARE_ERROR(ShapeError, UserError);
THEON_DECLARE_ERROR(ValueError, UserError);
// An index outside an array's bounds (Python's IndexError).
THEON_DECLARE_ERROR(IndexError, UserError);
// An array too large to make: its element count or byte count does not fit the
// machine's integers, or the system refused the memory (Python's MemoryError). The
// message names the shape and the bytes asked for.
THEON_DECLARE_ERROR(MemoryError, UserError);
THEON_DECLARE_ERROR(InternalError, Error);
// Raised by the CHECK mode when a rewrite changed a value: a bug in that rewrite.
THEON_DECLARE_ERROR(RewriteCheckError, InternalError);

namespace detail {

// Collects a message with <<; `Thrower<E>{} = Message() << ...` throws E(message).
class Message {
 public:
  template <class T>
  Message& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }
  std::string str() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
};

template <class E>
struct Thrower {
  [[noreturn]] void operator=(const Message& message) const { throw E(message.str()); }
};

template <>
struct Thrower<InternalError> {
  [[noreturn]] void operator=(const Message& message) const {
    throw InternalError("internal error (a bug in Theon, please report it): " + message.str());
  }
};

}  // namespace detail
}  // namespace theon

// THEON_CHECK_USER(x.ndim() == 2, ShapeError) << "dot: " << ...;  throws when false.
#define THEON_CHECK_USER(cond, KIND) \
  if (cond) {                        \
  } else                             \
    ::theon::detail::Thrower<::theon::KIND>{} = ::theon::detail::Message()

// THEON_ASSERT(invariant) << "context";  an InternalError when false: a Theon bug.
#define THEON_ASSERT(cond) \
  if (cond) {              \
  } else                   \
    ::theon::detail::Thrower<::theon::InternalError>{} = ::theon::detail::Message() << #cond << ": "

// THEON_FAIL(ValueError) << "...";  throws unconditionally.
#define THEON_FAIL(KIND) ::theon::detail::Thrower<::theon::KIND>{} = ::theon::detail::Message()
