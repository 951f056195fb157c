#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/event_type.hpp"
#include "storage/dummy_backend.hpp"
#include "storage/memory_backend.hpp"

using hat::event;
using hat::event_id;
using hat::event_type;
using hat::query_latest_params;
using hat::query_result;
using hat::query_server_params;
using hat::query_timeseries_params;
using hat::timestamp;
using hat::storage::dummy_backend;
using hat::storage::memory_backend;

namespace {

/// Registers `events` as one batch; what the backend accepted.
std::vector<event> store(hat::storage::backend& backend,
                         std::vector<event> events) {
  auto accepted = backend.register_events(
    std::make_shared<const std::vector<event>>(std::move(events)));
  return accepted ? *accepted : std::vector<event>{};
}

event_type split(std::string_view path) {
  return hat::event_type_from_string(path);
}

std::vector<event_type> split_all(std::vector<std::string_view> paths) {
  std::vector<event_type> result;
  for (auto path : paths)
    result.push_back(split(path));
  return result;
}

timestamp at(int64_t s, int32_t us = 0) {
  return {s, us};
}

event make(event_id id, std::string_view type, timestamp t,
           std::optional<timestamp> source = std::nullopt) {
  return {id, split(type), t, source, std::nullopt};
}

/// "1.2.3 1.2.4": readable in failure messages, and enough to tell events
/// apart where every id is unique.
std::string ids(const std::vector<event>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty())
      out += ' ';
    out += std::to_string(e.id.server) + '.' + std::to_string(e.id.session) +
           '.' + std::to_string(e.id.instance);
  }
  return out;
}

std::string ids(const query_result& result) {
  return ids(result.events);
}

// --- random event streams -------------------------------------------------

/// Sessions of several servers as the storage actor would hand them over:
/// per server increasing ids, one timestamp per session, timestamps with
/// many ties and sometimes older than the clock (synchronised events),
/// types over a small alphabet, some events without source timestamp.
class random_stream {
public:
  explicit random_stream(uint64_t seed) : rng_(seed) {
  }

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng_);
  }

  std::vector<event> next_session() {
    auto server = static_cast<int64_t>(1 + below(3));
    auto session = ++sessions_[server];
    clock_ = step(clock_, static_cast<int64_t>(below(2)));
    auto t = below(4) == 0 ? step(clock_, -static_cast<int64_t>(below(20)))
                           : clock_;
    std::vector<event> events(1 + below(4));
    int64_t instance = 0;
    for (auto& e : events) {
      e.id = {server, session, ++instance};
      e.type = random_type(false);
      e.timestamp = t;
      if (below(4) != 0)
        e.source_timestamp = random_source_timestamp();
      if (below(2) == 0)
        e.payload = hat::payload_json{std::to_string(below(100))};
    }
    return events;
  }

  /// Event types when `query` is false; otherwise query types that may
  /// hold "?" and a final "*".
  event_type random_type(bool query) {
    static const char* const literal[] = {"a", "b", "c"};
    static const char* const any[] = {"a", "b", "c", "?"};
    event_type type(below(8) == 0 ? 0 : 1 + below(3));
    for (auto& segment : type)
      segment = query ? any[below(4)] : literal[below(3)];
    if (query && below(4) == 0)
      type.emplace_back("*");
    return type;
  }

  std::optional<std::vector<event_type>> random_query_types() {
    if (below(3) == 0)
      return std::nullopt;
    std::vector<event_type> types(below(4));
    for (auto& type : types)
      type = random_type(true);
    return types;
  }

  /// Around the clock so that bounds fall inside, on and outside the data.
  std::optional<timestamp> random_bound() {
    if (below(2) == 0)
      return std::nullopt;
    return step(clock_, 4 - static_cast<int64_t>(below(60)));
  }

  std::optional<timestamp> random_source_bound() {
    if (below(2) == 0)
      return std::nullopt;
    return random_source_timestamp();
  }

  std::optional<int64_t> random_max_results() {
    switch (below(6)) {
      case 0:
        return std::nullopt;
      case 1:
        return -static_cast<int64_t>(below(3));
      default:
        return static_cast<int64_t>(below(12));
    }
  }

private:
  /// Half-second steps keep many events on equal timestamps.
  static timestamp step(timestamp t, int64_t halves) {
    int64_t us = t.s * 2 + t.us / 500'000 + halves;
    return {us / 2, static_cast<int32_t>((us % 2) * 500'000)};
  }

  timestamp random_source_timestamp() {
    return {static_cast<int64_t>(below(15)),
            static_cast<int32_t>(below(2) * 500'000)};
  }

  std::mt19937_64 rng_;
  std::map<int64_t, int64_t> sessions_;
  timestamp clock_{1000, 0};
};

// --- oracle -------------------------------------------------------------

/// The reference memory backend, written as plainly as the Python: keep a
/// list, filter it, stable-sort it per query. Divergences from the
/// reference are the fixes memory_backend documents (events without source
/// timestamp, negative max_results, server last_event_id).
class oracle {
public:
  void add(const std::vector<event>& events) {
    events_.insert(events_.end(), events.begin(), events.end());
  }

  query_result latest(const query_latest_params& params) const {
    std::map<event_type, std::size_t> newest;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      auto [it, inserted] = newest.try_emplace(events_[i].type, i);
      if (!inserted && hat::natural_before(events_[it->second], events_[i]))
        it->second = i;
    }
    std::vector<std::size_t> hits;
    for (const auto& [type, i] : newest)
      if (type_matches(params.event_types, type))
        hits.push_back(i);
    std::sort(hits.begin(), hits.end());
    return {pick(hits), false};
  }

  query_result timeseries(const query_timeseries_params& params) const {
    bool by_source = params.order_by == hat::order_by::source_timestamp;
    bool needs_source =
      by_source || params.source_t_from || params.source_t_to;
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const auto& e = events_[i];
      if (!type_matches(params.event_types, e.type))
        continue;
      if (params.t_from && e.timestamp < *params.t_from)
        continue;
      if (params.t_to && *params.t_to < e.timestamp)
        continue;
      if (needs_source && !e.source_timestamp)
        continue;
      if (params.source_t_from && *e.source_timestamp < *params.source_t_from)
        continue;
      if (params.source_t_to && *params.source_t_to < *e.source_timestamp)
        continue;
      hits.push_back(i);
    }
    auto key = [&](std::size_t i) {
      return by_source ? *events_[i].source_timestamp : events_[i].timestamp;
    };
    std::stable_sort(hits.begin(), hits.end(),
                     [&](auto a, auto b) { return key(a) < key(b); });
    if (params.order == hat::order::descending)
      std::reverse(hits.begin(), hits.end());

    // `for i, event in enumerate(events): if match: break` then
    // `events[i+1:]`: without a match i is the last index.
    if (params.last_event_id && !hits.empty()) {
      std::size_t i = 0;
      for (; i < hits.size(); ++i)
        if (events_[hits[i]].id == *params.last_event_id)
          break;
      if (i == hits.size())
        i = hits.size() - 1;
      hits.erase(hits.begin(), hits.begin() + static_cast<long>(i + 1));
    }
    return limit(hits, params.max_results);
  }

  query_result server(const query_server_params& params) const {
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < events_.size(); ++i)
      if (events_[i].id.server == params.server_id &&
          (!params.last_event_id || *params.last_event_id < events_[i].id))
        hits.push_back(i);
    std::stable_sort(hits.begin(), hits.end(), [&](auto a, auto b) {
      return events_[a].id < events_[b].id;
    });
    return limit(hits, params.max_results);
  }

  const std::vector<event>& events() const {
    return events_;
  }

private:
  static bool type_matches(
    const std::optional<std::vector<event_type>>& query_types,
    const event_type& type) {
    if (!query_types)
      return true;
    return std::any_of(query_types->begin(), query_types->end(),
                       [&](const event_type& query_type) {
                         return hat::matches_query_type(type, query_type);
                       });
  }

  std::vector<event> pick(const std::vector<std::size_t>& hits) const {
    std::vector<event> out;
    for (auto i : hits)
      out.push_back(events_[i]);
    return out;
  }

  query_result limit(std::vector<std::size_t> hits,
                     std::optional<int64_t> max_results) const {
    bool more = false;
    if (max_results) {
      auto n = static_cast<std::size_t>(std::max<int64_t>(*max_results, 0));
      if (hits.size() > n) {
        more = true;
        hits.resize(n);
      }
    }
    return {pick(hits), more};
  }

  std::vector<event> events_;
};

/// A memory backend and the list of everything registered into it.
struct random_store {
  explicit random_store(uint64_t seed, std::size_t sessions) : stream(seed) {
    for (std::size_t i = 0; i < sessions; ++i) {
      auto session = stream.next_session();
      all.add(session);
      store(backend, session);
    }
  }

  random_stream stream;
  oracle all;
  memory_backend backend;
};

/// Pages through `params` with `page_size` results per page, continuing
/// from the last id of each page, and checks every page's more_follows.
/// Gives up after `max_pages`, so that a backend repeating itself fails
/// instead of looping.
std::vector<event> page_timeseries(memory_backend& backend,
                                   query_timeseries_params params,
                                   int64_t page_size, std::size_t max_pages) {
  std::vector<event> all;
  params.max_results = page_size;
  params.last_event_id.reset();
  for (std::size_t pages = 0;; ++pages) {
    REQUIRE(pages < max_pages);
    auto page = backend.query(params);
    all.insert(all.end(), page.events.begin(), page.events.end());
    if (!page.more_follows)
      return all;
    REQUIRE(page.events.size() == static_cast<std::size_t>(page_size));
    params.last_event_id = page.events.back().id;
  }
}

}  // namespace

// --- dummy ---------------------------------------------------------------

TEST_CASE("dummy backend stores nothing") {
  dummy_backend backend;
  std::vector<event> events{
    make({1, 1, 1}, "a", at(10), at(5)),
    make({1, 1, 2}, "b", at(10)),
  };
  events[0].payload = hat::payload_json{"42"};

  CHECK(store(backend, events) == events);
  CHECK(store(backend, {}).empty());
  CHECK(backend.last_event_id(1) == event_id{1, 0, 0});
  CHECK(backend.last_event_id(-7) == event_id{-7, 0, 0});

  query_timeseries_params everything;
  everything.max_results = 0;
  for (const hat::query_params& params :
       {hat::query_params{query_latest_params{}},
        hat::query_params{everything},
        hat::query_params{query_server_params{1, false, {}, {}}}}) {
    auto result = backend.query(params);
    CHECK(result.events.empty());
    CHECK_FALSE(result.more_follows);
  }
  CHECK(backend.persists_on_register());
  CHECK(backend.flush().empty());
}

// --- memory: registration and last event id ------------------------------

TEST_CASE("memory backend returns and keeps every registered event") {
  memory_backend backend;
  CHECK(backend.persists_on_register());

  std::vector<event> events{
    make({1, 1, 1}, "a/b", at(10), at(3, 7)),
    make({1, 1, 2}, "", at(10)),
  };
  events[0].payload = hat::payload_binary{"bin", std::string("\0x", 2)};
  events[1].payload = hat::payload_json{R"({"v": [1, 2]})"};

  CHECK(store(backend, events) == events);
  CHECK(store(backend, {}).empty());
  CHECK(backend.flush().empty());

  // Stored values come back intact, payloads included.
  query_timeseries_params all;
  all.order = hat::order::ascending;
  CHECK(backend.query(all).events == events);
}

TEST_CASE("memory backend last event id is kept per server") {
  memory_backend backend;
  CHECK(backend.last_event_id(1) == event_id{1, 0, 0});

  store(backend, {make({1, 1, 1}, "a", at(1)),
                           make({1, 1, 2}, "a", at(1)),
                           make({2, 4, 1}, "a", at(1))});
  CHECK(backend.last_event_id(1) == event_id{1, 1, 2});
  CHECK(backend.last_event_id(2) == event_id{2, 4, 1});
  CHECK(backend.last_event_id(3) == event_id{3, 0, 0});

  // Largest id, not last registered.
  store(backend, {make({2, 5, 3}, "a", at(2))});
  store(backend, {make({2, 5, 1}, "a", at(3))});
  CHECK(backend.last_event_id(2) == event_id{2, 5, 3});
  CHECK(backend.last_event_id(1) == event_id{1, 1, 2});
}

TEST_CASE("memory backend keeps events whose id repeats") {
  memory_backend backend;
  auto first = make({1, 1, 1}, "a", at(1));
  auto again = make({1, 1, 1}, "a", at(2));
  store(backend, {first});
  CHECK(store(backend, {again}) == std::vector<event>{again});

  CHECK(backend.last_event_id(1) == event_id{1, 1, 1});
  auto server = backend.query(query_server_params{1, true, {}, {}});
  CHECK(server.events == std::vector<event>{first, again});
  // Natural order cannot tell them apart, so the stored one stays newest.
  CHECK(backend.query(query_latest_params{}).events ==
        std::vector<event>{first});
}

// --- memory: latest ------------------------------------------------------

TEST_CASE("memory backend latest query") {
  memory_backend backend;
  auto a1 = make({1, 1, 1}, "a", at(10));
  auto ab = make({1, 1, 2}, "a/b", at(10));
  auto ac = make({1, 1, 3}, "a/c", at(10));
  auto bx = make({1, 1, 4}, "b/x/y", at(10));
  store(backend, {a1, ab, ac, bx});

  SUBCASE("all types, in registration order of the results") {
    auto a2 = make({1, 2, 1}, "a", at(11));
    store(backend, {a2});
    auto result = backend.query(query_latest_params{});
    CHECK(ids(result) == "1.1.2 1.1.3 1.1.4 1.2.1");
    CHECK_FALSE(result.more_follows);
  }

  SUBCASE("query types and wildcards") {
    auto latest = [&](std::vector<std::string_view> types) {
      return ids(backend.query(query_latest_params{split_all(types)}));
    };
    CHECK(latest({}) == "");
    CHECK(latest({"a"}) == "1.1.1");
    CHECK(latest({"a/b", "b/x/y"}) == "1.1.2 1.1.4");
    CHECK(latest({"a/b", "a/b"}) == "1.1.2");
    CHECK(latest({"x"}) == "");
    CHECK(latest({"a/?"}) == "1.1.2 1.1.3");
    CHECK(latest({"?"}) == "1.1.1");
    CHECK(latest({"a/*"}) == "1.1.1 1.1.2 1.1.3");
    CHECK(latest({"*"}) == "1.1.1 1.1.2 1.1.3 1.1.4");
    CHECK(latest({"?/?/?"}) == "1.1.4");
    CHECK(latest({"a/b", "?/x/*"}) == "1.1.2 1.1.4");
    CHECK(latest({""}) == "");
  }

  SUBCASE("the empty type is a type like any other") {
    store(backend, {make({1, 2, 1}, "", at(11))});
    CHECK(ids(backend.query(query_latest_params{split_all({""})})) ==
          "1.2.1");
    CHECK(ids(backend.query(query_latest_params{split_all({"*"})})) ==
          "1.1.1 1.1.2 1.1.3 1.1.4 1.2.1");
  }

  SUBCASE("newest wins in natural order") {
    // Same server: the larger id wins, even when registered earlier.
    store(backend, {make({1, 3, 1}, "a", at(12))});
    store(backend, {make({1, 2, 1}, "a", at(13))});
    CHECK(ids(backend.query(query_latest_params{split_all({"a"})})) ==
          "1.3.1");

    // Other server: the later timestamp wins, whatever the ids...
    store(backend, {make({2, 1, 1}, "a", at(11))});
    CHECK(ids(backend.query(query_latest_params{split_all({"a"})})) ==
          "1.3.1");
    store(backend, {make({2, 1, 2}, "a", at(12, 1))});
    CHECK(ids(backend.query(query_latest_params{split_all({"a"})})) ==
          "2.1.2");

    // ...and on equal timestamps the one registered later.
    store(backend, {make({3, 1, 1}, "a", at(12, 1))});
    CHECK(ids(backend.query(query_latest_params{split_all({"a"})})) ==
          "3.1.1");
  }
}

// --- memory: timeseries ----------------------------------------------------

namespace {

/// e1..e6 in registration order. Timestamps tie (e1/e2, e3/e4) and so do
/// source timestamps (e1/e4); e2 and e6 have none.
struct timeseries_fixture {
  timeseries_fixture() {
    store(backend, {e1, e2});
    store(backend, {e3});
    store(backend, {e4});
    store(backend, {e5});
    store(backend, {e6});
  }

  std::string run(query_timeseries_params params) {
    auto result = backend.query(params);
    more_follows = result.more_follows;
    return ids(result);
  }

  event e1 = make({1, 1, 1}, "a/x", at(10), at(5));
  event e2 = make({1, 1, 2}, "a/y", at(10));
  event e3 = make({1, 2, 1}, "b/x", at(20), at(3));
  event e4 = make({2, 1, 1}, "a/x", at(20), at(5));
  event e5 = make({1, 3, 1}, "b/y", at(30), at(7));
  event e6 = make({2, 2, 1}, "c", at(40));
  memory_backend backend;
  bool more_follows = true;
};

query_timeseries_params ascending() {
  query_timeseries_params params;
  params.order = hat::order::ascending;
  return params;
}

query_timeseries_params by_source(hat::order order) {
  query_timeseries_params params;
  params.order = order;
  params.order_by = hat::order_by::source_timestamp;
  return params;
}

}  // namespace

TEST_CASE_FIXTURE(timeseries_fixture, "memory backend timeseries order") {
  CHECK(run(ascending()) == "1.1.1 1.1.2 1.2.1 2.1.1 1.3.1 2.2.1");
  CHECK_FALSE(more_follows);
  // Descending is the default, and reverses ties too.
  CHECK(run({}) == "2.2.1 1.3.1 2.1.1 1.2.1 1.1.2 1.1.1");
  CHECK_FALSE(more_follows);

  // By source timestamp only events that have one, ties in registration
  // order (reversed when descending).
  CHECK(run(by_source(hat::order::ascending)) == "1.2.1 1.1.1 2.1.1 1.3.1");
  CHECK(run(by_source(hat::order::descending)) == "1.3.1 2.1.1 1.1.1 1.2.1");
}

TEST_CASE_FIXTURE(timeseries_fixture, "memory backend timeseries bounds") {
  auto q = ascending();

  SUBCASE("timestamp bounds are inclusive") {
    q.t_from = at(20);
    CHECK(run(q) == "1.2.1 2.1.1 1.3.1 2.2.1");
    q.t_to = at(20);
    CHECK(run(q) == "1.2.1 2.1.1");
    q.t_from.reset();
    CHECK(run(q) == "1.1.1 1.1.2 1.2.1 2.1.1");
    q.t_from = at(20, 1);
    q.t_to = at(29, 999'999);
    CHECK(run(q) == "");
    q.t_from = at(30);
    q.t_to = at(20);
    CHECK(run(q) == "");
    q.order = hat::order::descending;
    CHECK(run(q) == "");
  }

  SUBCASE("source bounds are inclusive and need a source timestamp") {
    q.source_t_from = at(5);
    CHECK(run(q) == "1.1.1 2.1.1 1.3.1");
    q.source_t_to = at(5);
    CHECK(run(q) == "1.1.1 2.1.1");
    q.source_t_from.reset();
    CHECK(run(q) == "1.1.1 1.2.1 2.1.1");
    q.source_t_from = at(8);
    q.source_t_to = at(3);
    CHECK(run(q) == "");
  }

  SUBCASE("all bounds together") {
    q.t_from = at(10);
    q.t_to = at(30);
    q.source_t_from = at(4);
    q.source_t_to = at(7);
    CHECK(run(q) == "1.1.1 2.1.1 1.3.1");
  }

  SUBCASE("timestamp bounds when ordering by source timestamp") {
    auto s = by_source(hat::order::ascending);
    s.t_from = at(20);
    CHECK(run(s) == "1.2.1 2.1.1 1.3.1");
    s.t_to = at(20);
    s.source_t_from = at(4);
    CHECK(run(s) == "2.1.1");
    s.order = hat::order::descending;
    s.source_t_from = at(0);
    CHECK(run(s) == "2.1.1 1.2.1");
  }

  SUBCASE("event types") {
    q.event_types = split_all({"a/*"});
    CHECK(run(q) == "1.1.1 1.1.2 2.1.1");
    q.event_types = split_all({"?/x"});
    CHECK(run(q) == "1.1.1 1.2.1 2.1.1");
    q.event_types = split_all({"c", "b/y"});
    CHECK(run(q) == "1.3.1 2.2.1");
    q.event_types = split_all({"*"});
    CHECK(run(q) == "1.1.1 1.1.2 1.2.1 2.1.1 1.3.1 2.2.1");
    q.event_types = std::vector<event_type>{};
    CHECK(run(q) == "");
    q.event_types = split_all({"a/*"});
    q.t_from = at(20);
    CHECK(run(q) == "2.1.1");
  }
}

TEST_CASE_FIXTURE(timeseries_fixture,
                  "memory backend timeseries max results and last event id") {
  auto q = ascending();

  SUBCASE("more_follows exactly at the boundary") {
    q.max_results = 6;
    CHECK(run(q) == "1.1.1 1.1.2 1.2.1 2.1.1 1.3.1 2.2.1");
    CHECK_FALSE(more_follows);
    q.max_results = 5;
    CHECK(run(q) == "1.1.1 1.1.2 1.2.1 2.1.1 1.3.1");
    CHECK(more_follows);
    q.max_results = 1;
    q.order = hat::order::descending;
    CHECK(run(q) == "2.2.1");
    CHECK(more_follows);
    q.t_from = at(40);
    CHECK(run(q) == "2.2.1");
    CHECK_FALSE(more_follows);
  }

  SUBCASE("zero and negative max results") {
    q.max_results = 0;
    CHECK(run(q) == "");
    CHECK(more_follows);
    q.max_results = -3;
    CHECK(run(q) == "");
    CHECK(more_follows);
    q.max_results = 0;
    q.t_from = at(41);
    CHECK(run(q) == "");
    CHECK_FALSE(more_follows);
  }

  SUBCASE("last event id drops up to and including it") {
    q.last_event_id = e3.id;
    CHECK(run(q) == "2.1.1 1.3.1 2.2.1");
    CHECK_FALSE(more_follows);
    q.max_results = 2;
    CHECK(run(q) == "2.1.1 1.3.1");
    CHECK(more_follows);
    q.max_results = 3;
    CHECK(run(q) == "2.1.1 1.3.1 2.2.1");
    CHECK_FALSE(more_follows);
    q.order = hat::order::descending;
    CHECK(run(q) == "1.1.2 1.1.1");
    CHECK_FALSE(more_follows);
    q.last_event_id = e1.id;
    CHECK(run(q) == "");
    CHECK_FALSE(more_follows);

    auto s = by_source(hat::order::ascending);
    s.last_event_id = e1.id;
    CHECK(run(s) == "2.1.1 1.3.1");
  }

  SUBCASE("last event id that matches no result drops everything") {
    // The reference's loop ends on the last index without a match.
    q.last_event_id = event_id{9, 9, 9};
    CHECK(run(q) == "");
    CHECK_FALSE(more_follows);
    q.max_results = 0;
    CHECK(run(q) == "");
    CHECK_FALSE(more_follows);

    // Stored but filtered out counts as no match.
    q.max_results.reset();
    q.last_event_id = e2.id;
    q.event_types = split_all({"b/*"});
    CHECK(run(q) == "");
    auto s = by_source(hat::order::ascending);
    s.last_event_id = e2.id;
    CHECK(run(s) == "");
  }
}

TEST_CASE("memory backend timeseries pages add up to the whole result") {
  random_store store(7, 800);
  for (auto order : {hat::order::ascending, hat::order::descending})
    for (auto order_by :
         {hat::order_by::timestamp, hat::order_by::source_timestamp})
      for (int64_t page_size : {1, 7, 64}) {
        query_timeseries_params params;
        params.order = order;
        params.order_by = order_by;
        auto whole = store.backend.query(params);
        REQUIRE(whole.events.size() > 300);
        CHECK(page_timeseries(store.backend, params, page_size,
                              whole.events.size() + 1) == whole.events);

        params.event_types = split_all({"a/*", "?/b"});
        params.t_from = at(1010);
        params.source_t_to = at(10);
        whole = store.backend.query(params);
        REQUIRE(whole.events.size() > 20);
        CHECK(page_timeseries(store.backend, params, page_size,
                              whole.events.size() + 1) == whole.events);
      }
}

// --- memory: server ------------------------------------------------------

TEST_CASE("memory backend server query") {
  memory_backend backend;
  store(backend, {make({1, 1, 1}, "a", at(10)),
                           make({1, 1, 2}, "a", at(10))});
  store(backend, {make({2, 1, 1}, "a", at(5))});
  store(backend, {make({1, 3, 1}, "a", at(11))});
  // Out of id order (a synchronised gap filled late).
  store(backend, {make({1, 2, 1}, "a", at(12))});

  auto server = [&](int64_t id, std::optional<int64_t> max_results,
                    std::optional<event_id> last, bool persisted = false) {
    return backend.query(query_server_params{id, persisted, max_results, last});
  };

  CHECK(ids(server(1, {}, {})) == "1.1.1 1.1.2 1.2.1 1.3.1");
  CHECK(ids(server(1, {}, {}, true)) == "1.1.1 1.1.2 1.2.1 1.3.1");
  CHECK(ids(server(2, {}, {})) == "2.1.1");
  CHECK(ids(server(3, {}, {})) == "");

  auto page = server(1, 2, {});
  CHECK(ids(page) == "1.1.1 1.1.2");
  CHECK(page.more_follows);
  page = server(1, 2, event_id{1, 1, 2});
  CHECK(ids(page) == "1.2.1 1.3.1");
  CHECK_FALSE(page.more_follows);
  page = server(1, 1, event_id{1, 2, 1});
  CHECK(ids(page) == "1.3.1");
  CHECK_FALSE(page.more_follows);

  // An id between stored ones, and the last one: only newer ids follow
  // (the reference would repeat the last event here).
  CHECK(ids(server(1, {}, event_id{1, 1, 7})) == "1.2.1 1.3.1");
  page = server(1, {}, event_id{1, 3, 1});
  CHECK(ids(page) == "");
  CHECK_FALSE(page.more_follows);

  page = server(1, 0, {});
  CHECK(ids(page) == "");
  CHECK(page.more_follows);
  page = server(1, -1, event_id{1, 3, 1});
  CHECK(ids(page) == "");
  CHECK_FALSE(page.more_follows);
}

TEST_CASE("memory backend server pages add up to the whole result") {
  random_store store(11, 600);
  for (int64_t server_id = 1; server_id <= 3; ++server_id) {
    auto whole =
      store.backend.query(query_server_params{server_id, true, {}, {}});
    REQUIRE(whole.events.size() > 100);
    CHECK(whole.events.back().id == store.backend.last_event_id(server_id));

    std::vector<event> paged;
    query_server_params params{server_id, true, 16, {}};
    for (std::size_t pages = 0;; ++pages) {
      REQUIRE(pages <= whole.events.size());
      auto page = store.backend.query(params);
      paged.insert(paged.end(), page.events.begin(), page.events.end());
      if (!page.more_follows)
        break;
      REQUIRE(page.events.size() == 16);
      params.last_event_id = page.events.back().id;
    }
    CHECK(paged == whole.events);
  }
}

// --- memory: oracle ------------------------------------------------------

TEST_CASE("memory backend answers like the reference algorithm") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    random_stream stream(seed);
    oracle expected;
    memory_backend backend;

    // Queries between registrations see every intermediate state.
    std::size_t queries = 0;
    for (std::size_t step = 0; step < 1000; ++step) {
      auto session = stream.next_session();
      expected.add(session);
      REQUIRE(store(backend, session) == session);

      for (auto n = stream.below(3); n > 0; --n, ++queries) {
        CAPTURE(step);
        CAPTURE(queries);
        const auto& stored = expected.events();
        auto some_id = [&]() -> std::optional<event_id> {
          switch (stream.below(6)) {
            case 0:
            case 1:
              return std::nullopt;
            case 2:
              return event_id{static_cast<int64_t>(stream.below(4)),
                              static_cast<int64_t>(stream.below(400)),
                              static_cast<int64_t>(stream.below(5))};
            default:
              return stored[stream.below(stored.size())].id;
          }
        };

        switch (stream.below(3)) {
          case 0: {
            query_latest_params params{stream.random_query_types()};
            REQUIRE(backend.query(params) == expected.latest(params));
            break;
          }
          case 1: {
            query_timeseries_params params;
            params.event_types = stream.random_query_types();
            params.t_from = stream.random_bound();
            params.t_to = stream.random_bound();
            params.source_t_from = stream.random_source_bound();
            params.source_t_to = stream.random_source_bound();
            params.order = stream.below(2) ? hat::order::ascending
                                           : hat::order::descending;
            params.order_by = stream.below(2)
                                ? hat::order_by::source_timestamp
                                : hat::order_by::timestamp;
            params.max_results = stream.random_max_results();
            params.last_event_id = some_id();
            REQUIRE(backend.query(params) == expected.timeseries(params));
            break;
          }
          default: {
            query_server_params params;
            params.server_id = static_cast<int64_t>(stream.below(5));
            params.persisted = stream.below(2) == 1;
            params.max_results = stream.random_max_results();
            params.last_event_id = some_id();
            REQUIRE(backend.query(params) == expected.server(params));
            auto own = expected.server({params.server_id, true, {}, {}});
            REQUIRE(backend.last_event_id(params.server_id) ==
                    (own.events.empty() ? event_id{params.server_id, 0, 0}
                                        : own.events.back().id));
            break;
          }
        }
      }
    }
    CHECK(queries > 900);
  }
}
