// Natural order of events and timestamp ordering.

#include <doctest/doctest.h>

#include "protocol/event.hpp"

using namespace hat;

namespace {

event make(event_id id, timestamp t) {
  return event{id, {"a"}, t, std::nullopt, std::nullopt};
}

}  // namespace

TEST_CASE("timestamps order by seconds, then microseconds") {
  CHECK(timestamp{-1, 999'999} < timestamp{0, 0});
  CHECK(timestamp{5, 1} < timestamp{5, 2});
  CHECK(min_timestamp < timestamp{0, 0});
  CHECK(timestamp{0, 0} < max_timestamp);
}

TEST_CASE("natural order: same server by id, else timestamp, else arrival") {
  // Same server: the id decides, even against the timestamps.
  auto a = make({1, 2, 1}, {100, 0});
  auto b = make({1, 2, 2}, {50, 0});
  CHECK(natural_before(a, b));
  CHECK_FALSE(natural_before(b, a));
  CHECK(natural_before(make({1, 1, 9}, {0, 0}), make({1, 2, 1}, {0, 0})));

  // Other servers: the timestamp decides.
  auto c = make({2, 1, 1}, {10, 0});
  auto d = make({1, 9, 9}, {10, 1});
  CHECK(natural_before(c, d));
  CHECK_FALSE(natural_before(d, c));

  // Other servers, equal timestamps: registration order (the first
  // argument is assumed registered first).
  auto e = make({2, 1, 1}, {10, 0});
  auto f = make({3, 1, 1}, {10, 0});
  CHECK(natural_before(e, f));
  CHECK(natural_before(f, e));

  // An event is never before itself.
  CHECK_FALSE(natural_before(a, a));
}
