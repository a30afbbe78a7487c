#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "mlbench/core/error.h"

namespace mlbench {

// Tag that lets `return fail(...)` convert into any Result<T>.
struct Failure {
  Error error;
};

inline Failure fail(ErrorCode code, std::string message, std::string where = {}) {
  return Failure{Error{code, std::move(message), std::move(where)}};
}
inline Failure fail(Error error) {
  return Failure{std::move(error)};
}

// A value or an Error: what crosses module edges. Reading the value of a failed Result (or the
// error of a good one) is a programming error and asserts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Failure failure) : state_(std::move(failure.error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }
  // Forward this failure to a caller whose Result holds another type.
  Failure failure() const { return Failure{error()}; }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure failure) : error_(std::move(failure.error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }
  Failure failure() const { return Failure{error()}; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace mlbench
