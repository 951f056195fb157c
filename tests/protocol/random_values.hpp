#pragma once

// Random values of the event model for property tests: fixed seeds, values
// that stress the codec (negative and 64-bit integers, empty and non-ASCII
// strings, every optional both ways).

#include <random>

#include "protocol/eventer_codec.hpp"

namespace hat::test {

class random_values {
public:
  explicit random_values(uint64_t seed) : rng_(seed) {
  }

  int64_t integer();
  std::string text();
  std::string bytes();
  timestamp any_timestamp();
  event_id any_event_id();
  event_type any_event_type();
  event_payload any_payload();
  event any_event();
  register_event any_register_event();
  query_params any_query_params();
  eventer::message any_eventer_message(eventer::dialect dialect);

  /// Uniform in [0, n).
  size_t below(size_t n) {
    return std::uniform_int_distribution<size_t>{0, n - 1}(rng_);
  }
  bool coin() {
    return below(2) == 1;
  }

private:
  template <class T, class F>
  std::optional<T> maybe(F&& make) {
    if (coin())
      return make();
    return std::nullopt;
  }

  std::mt19937_64 rng_;
};

}  // namespace hat::test
