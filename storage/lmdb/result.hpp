#pragma once

/// A value or the error that prevented it: how every fallible function of
/// the LMDB layer reports failure (C++20 has no std::expected).

#include <optional>
#include <utility>
#include <variant>

namespace hat::storage::lmdb {

class error;

/// Holds a `T` or an `E`. Asking for the value of an error (or the error of
/// a value) is a programming bug; it throws std::bad_variant_access (or
/// std::bad_optional_access for result<void>).
template <class T, class E = error>
class [[nodiscard]] result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {
  }
  result(E error) : state_(std::in_place_index<1>, std::move(error)) {
  }

  bool ok() const {
    return state_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }

  T& value() & {
    return std::get<0>(state_);
  }
  const T& value() const& {
    return std::get<0>(state_);
  }
  T&& value() && {
    return std::get<0>(std::move(state_));
  }
  T& operator*() & {
    return value();
  }
  const T& operator*() const& {
    return value();
  }
  T&& operator*() && {
    return std::move(*this).value();
  }
  T* operator->() {
    return &value();
  }
  const T* operator->() const {
    return &value();
  }

  const E& error() const {
    return std::get<1>(state_);
  }

private:
  std::variant<T, E> state_;
};

/// Success without a value, or an error.
template <class E>
class [[nodiscard]] result<void, E> {
public:
  result() = default;
  result(E error) : error_(std::move(error)) {
  }

  bool ok() const {
    return !error_.has_value();
  }
  explicit operator bool() const {
    return ok();
  }

  const E& error() const {
    return error_.value();
  }

private:
  std::optional<E> error_;
};

}  // namespace hat::storage::lmdb
