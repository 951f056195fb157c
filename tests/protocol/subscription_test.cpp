#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/event_type.hpp"
#include "protocol/subscription.hpp"

using hat::event_type;
using hat::subscription;

namespace {

event_type split(std::string_view path) {
  return hat::event_type_from_string(path);
}

std::vector<event_type> split_all(std::vector<std::string_view> paths) {
  std::vector<event_type> result;
  for (auto path : paths)
    result.push_back(split(path));
  return result;
}

std::string describe(const std::vector<event_type>& types) {
  std::string result = "{";
  for (const auto& type : types)
    result += " '" + hat::event_type_to_string(type) + "'";
  return result + " }";
}

bool naive_matches(const std::vector<event_type>& query_types,
                   const event_type& type) {
  return std::any_of(query_types.begin(), query_types.end(),
                     [&](const event_type& query_type) {
                       return hat::matches_query_type(type, query_type);
                     });
}

std::vector<event_type> sorted(std::vector<event_type> types) {
  std::sort(types.begin(), types.end());
  return types;
}

/// Up to 4 segments from {a, b, c, ?}, the last one possibly "*".
event_type random_query_type(std::mt19937& rng) {
  static const char* const segments[] = {"a", "b", "c", "?"};
  std::uniform_int_distribution<int> length(0, 4);
  std::uniform_int_distribution<int> segment(0, 3);
  std::uniform_int_distribution<int> star(0, 4);
  event_type result;
  for (int n = length(rng); n > 0; --n)
    result.emplace_back(segments[segment(rng)]);
  if (!result.empty() && star(rng) == 0)
    result.back() = "*";
  return result;
}

std::vector<event_type> random_query_types(std::mt19937& rng) {
  std::uniform_int_distribution<int> count(0, 4);
  std::vector<event_type> result;
  for (int n = count(rng); n > 0; --n)
    result.push_back(random_query_type(rng));
  return result;
}

/// Every type over {a, b, c, d} with at most 5 segments. "d" is no query
/// literal, so it only matches through "?" or "*"; and no query type has
/// more than 4 segments, so this finds an overlap whenever one exists.
std::vector<event_type> all_event_types() {
  static const char* const segments[] = {"a", "b", "c", "d"};
  std::vector<event_type> result{{}};
  for (std::size_t begin = 0; result[begin].size() < 5; ++begin)
    for (const char* segment : segments) {
      auto type = result[begin];
      type.emplace_back(segment);
      result.push_back(std::move(type));
    }
  return result;
}

}  // namespace

TEST_CASE("matches_query_type follows the wildcard rules") {
  struct example {
    std::string_view type;
    std::string_view query;
    bool expected;
  };
  const example examples[] = {
    // Empty query type and empty event type.
    {"", "", true},
    {"a", "", false},
    {"", "a", false},
    {"", "?", false},
    // Literals match themselves only, segment by segment.
    {"a", "a", true},
    {"a/b", "a/b", true},
    {"a/b", "a/c", false},
    {"a", "a/b", false},
    {"a/b", "a", false},
    {"b/a", "a/b", false},
    // "?" needs exactly one segment of any value.
    {"x", "?", true},
    {"x/b", "?/b", true},
    {"x/c", "?/b", false},
    {"b", "?/b", false},
    {"a/x", "a/?", true},
    {"a", "a/?", false},
    {"a/x/y", "a/?", false},
    {"a/x/y", "?/?/?", true},
    // "*" takes zero or more segments.
    {"", "*", true},
    {"a", "*", true},
    {"a/b/c/d", "*", true},
    {"a", "a/*", true},
    {"a/b", "a/*", true},
    {"a/b/c", "a/*", true},
    {"b", "a/*", false},
    {"", "a/*", false},
    // "*" after "?": at least one segment.
    {"", "?/*", false},
    {"x", "?/*", true},
    {"x/y/z", "?/*", true},
    {"x/y", "?/b/*", false},
    {"x/b", "?/b/*", true},
  };
  for (const auto& e : examples) {
    INFO("type '", e.type, "', query '", e.query, "'");
    CHECK(hat::matches_query_type(split(e.type), split(e.query)) ==
          e.expected);
    CHECK(subscription({split(e.query)}).matches(split(e.type)) ==
          e.expected);
  }
}

TEST_CASE("event_type_to_string joins segments with '/'") {
  CHECK(hat::event_type_to_string({}) == "");
  CHECK(hat::event_type_to_string({"a"}) == "a");
  CHECK(hat::event_type_to_string({"a", "?", "*"}) == "a/?/*");
}

TEST_CASE("registered event types may not contain wildcards") {
  CHECK_FALSE(hat::invalid_event_type_reason({}));
  CHECK_FALSE(hat::invalid_event_type_reason(split("a/b/c")));
  CHECK(hat::invalid_event_type_reason(split("a/*/c")) ==
        "event type 'a/*/c' contains the reserved segment '*'");
  CHECK(hat::invalid_event_type_reason(split("?")) ==
        "event type '?' contains the reserved segment '?'");
  CHECK(hat::invalid_event_type_reason(split("a/b/?")) ==
        "event type 'a/b/?' contains the reserved segment '?'");
}

TEST_CASE("query types allow '*' only as the last segment") {
  for (auto good : {"", "*", "a/*", "?/*", "a/?/b", "?"})
    CHECK_FALSE(hat::invalid_query_type_reason(split(good)));
  CHECK(hat::invalid_query_type_reason(split("a/*/c")) ==
        "query type 'a/*/c' has '*' before its last segment");
  CHECK(hat::invalid_query_type_reason(split("*/*")) ==
        "query type '*/*' has '*' before its last segment");

  CHECK_THROWS_AS(subscription(split_all({"a", "a/*/c"})),
                  std::invalid_argument);
  CHECK_THROWS_WITH(subscription(split_all({"*/a"})),
                    "query type '*/a' has '*' before its last segment");
}

TEST_CASE("subscription keeps sanitised query types") {
  CHECK(subscription().query_types().empty());
  CHECK_FALSE(subscription().matches({}));

  // "*" absorbs what is below it, whichever comes first.
  CHECK(subscription(split_all({"a/b", "a/*", "a/c/d"})).query_types() ==
        split_all({"a/*"}));
  CHECK(subscription(split_all({"a/*", "a/b"})).query_types() ==
        split_all({"a/*"}));
  CHECK(subscription(split_all({"a/b", "*", "?"})).query_types() ==
        split_all({"*"}));

  // Duplicates collapse; everything else is kept as given.
  const subscription mixed(split_all({"", "a", "?/b", "a", "a/b/*"}));
  CHECK(sorted(mixed.query_types()) ==
        sorted(split_all({"", "a", "?/b", "a/b/*"})));

  const subscription empty_type(split_all({""}));
  CHECK(empty_type.matches({}));
  CHECK_FALSE(empty_type.matches(split("a")));
}

TEST_CASE("subscription copies are deep and moves keep the set") {
  subscription original(split_all({"a/?", "b/*"}));
  subscription copy(original);
  original = subscription(split_all({"c"}));
  CHECK(copy.matches(split("a/x")));
  CHECK(copy.matches(split("b")));
  CHECK_FALSE(copy.matches(split("c")));
  CHECK(original.matches(split("c")));

  copy = original;
  original = subscription();
  CHECK(copy.matches(split("c")));
  CHECK_FALSE(copy.matches(split("a/x")));

  subscription moved(std::move(copy));
  CHECK(moved.matches(split("c")));
  subscription assigned;
  assigned = std::move(moved);
  CHECK(assigned.matches(split("c")));
  CHECK(assigned.query_types() == split_all({"c"}));
}

TEST_CASE("set operations on hand-written subscriptions") {
  const subscription a(split_all({"a/*"}));
  const subscription b(split_all({"a"}));
  const subscription c(split_all({"?/b", "c"}));

  // "*" also matches the type that ends where it starts.
  CHECK(a.intersection_with(b).matches(split("a")));
  CHECK(b.intersection_with(a).matches(split("a")));
  CHECK_FALSE(a.isdisjoint(b));
  CHECK_FALSE(b.isdisjoint(a));

  const auto ac = a.intersection_with(c);
  CHECK(ac.matches(split("a/b")));
  CHECK_FALSE(ac.matches(split("x/b")));
  CHECK_FALSE(ac.matches(split("c")));
  CHECK(b.isdisjoint(c));
  CHECK(b.isdisjoint(ac));
  CHECK(subscription().isdisjoint(a));
  CHECK(subscription(split_all({"*"})).isdisjoint(subscription()));

  const auto bc = b.union_with(c);
  CHECK(bc.matches(split("a")));
  CHECK(bc.matches(split("c")));
  CHECK(bc.matches(split("z/b")));
  CHECK(a.union_with(bc).query_types().size() == 3);  // a/*, ?/b, c
}

TEST_CASE("subscription agrees with matches_query_type on random sets") {
  const auto types = all_event_types();
  REQUIRE(types.size() == 1365);

  std::mt19937 rng(20240517);
  int failures = 0;
  std::string sets;  // the round's query types, for failure messages
  auto expect = [&](bool ok, const char* what, const event_type* type) {
    if (ok)
      return;
    ++failures;
    std::string message = std::string(what) + " a, b, c =" + sets;
    if (type)
      message += " type '" + hat::event_type_to_string(*type) + "'";
    FAIL_CHECK(message);
  };

  for (int round = 0; round < 1500 && failures < 10; ++round) {
    const auto qa = random_query_types(rng);
    const auto qb = random_query_types(rng);
    const auto qc = random_query_types(rng);
    sets = describe(qa) + describe(qb) + describe(qc);
    const subscription a(qa), b(qb), c(qc);
    const subscription a_again(a.query_types());
    const subscription both = a.intersection_with(b);
    const subscription either = a.union_with(b);

    bool a_meets_b = false;
    bool both_meets_c = false;
    bool either_meets_c = false;
    for (const auto& type : types) {
      const bool in_a = naive_matches(qa, type);
      const bool in_b = naive_matches(qb, type);
      const bool in_c = naive_matches(qc, type);
      expect(a.matches(type) == in_a, "a.matches", &type);
      expect(b.matches(type) == in_b, "b.matches", &type);
      expect(a_again.matches(type) == in_a, "a.query_types", &type);
      expect(both.matches(type) == (in_a && in_b), "a & b", &type);
      expect(either.matches(type) == (in_a || in_b), "a | b", &type);
      a_meets_b = a_meets_b || (in_a && in_b);
      both_meets_c = both_meets_c || (in_a && in_b && in_c);
      either_meets_c = either_meets_c || ((in_a || in_b) && in_c);
    }
    expect(a.isdisjoint(b) == !a_meets_b, "a.isdisjoint(b)", nullptr);
    expect(b.isdisjoint(a) == !a_meets_b, "b.isdisjoint(a)", nullptr);
    // Results of set operations are valid inputs too.
    expect(both.isdisjoint(c) == !both_meets_c, "(a & b).isdisjoint(c)",
           nullptr);
    expect(c.isdisjoint(either) == !either_meets_c, "c.isdisjoint(a | b)",
           nullptr);
    for (const auto& query_type : a.query_types())
      expect(!hat::invalid_query_type_reason(query_type), "a.query_types",
             &query_type);
  }
  CHECK(failures == 0);
}

TEST_CASE("matching cost does not grow with the number of query types") {
  std::vector<event_type> query_types;
  for (int i = 0; i < 100'000; ++i)
    query_types.push_back({"device", std::to_string(i), "data"});
  const subscription many(query_types);

  CHECK(many.matches({"device", "0", "data"}));
  CHECK(many.matches({"device", "54321", "data"}));
  CHECK(many.matches({"device", "99999", "data"}));
  CHECK_FALSE(many.matches({"device", "100000", "data"}));
  CHECK_FALSE(many.matches({"device", "7"}));
  CHECK_FALSE(many.matches({"device", "7", "data", "x"}));
  CHECK_FALSE(many.matches({"other", "7", "data"}));
  CHECK(many.query_types().size() == 100'000);

  const subscription one(split_all({"device/12345/*"}));
  CHECK_FALSE(many.isdisjoint(one));
  CHECK(many.intersection_with(one).query_types() ==
        split_all({"device/12345/data"}));
}
