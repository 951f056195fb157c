#include <doctest/doctest.h>

#include "log/throttle.hpp"

using hat::log::throttle;
using namespace std::chrono_literals;

TEST_CASE("log throttle: a burst per interval, the rest counted and told") {
  throttle t{3, 10s};
  auto start = throttle::clock::time_point{} + 1h;
  CHECK(t.allow(start) == std::optional<uint64_t>{0});
  CHECK(t.allow(start + 1s) == std::optional<uint64_t>{0});
  CHECK(t.allow(start + 2s) == std::optional<uint64_t>{0});
  // Over the burst within the interval: held back, counted.
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(t.allow(start + 3s));
  CHECK_FALSE(t.allow(start + 9s));
  // A new interval: the next line tells how many were held back.
  CHECK(t.allow(start + 10s) == std::optional<uint64_t>{6});
  CHECK(t.allow(start + 11s) == std::optional<uint64_t>{0});
  CHECK(t.allow(start + 12s) == std::optional<uint64_t>{0});
  CHECK_FALSE(t.allow(start + 13s));
  // The source goes away: what is left is reported once.
  CHECK(t.take_held_back() == 1);
  CHECK(t.take_held_back() == 0);
}
