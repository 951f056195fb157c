// A slow handler cannot stall the network (issue 13): while a module's
// callback or a query is held inside the server, other clients' requests
// that do not wait for it are answered. The holds are gates the test opens,
// so nothing here depends on timing: a stalled network thread shows as a
// request not answered within its bound while the gate is still closed.

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

#include "modules/plugin.hpp"
#include "tests/server/server_harness.hpp"
#include "storage/memory_backend.hpp"

using namespace hat;
using namespace hat::test;

namespace {

/// Closed until opened; whoever passes through while it is closed waits
/// (at most 30 s, so a broken test ends).
class gate {
public:
  void pass() {
    std::unique_lock lock{mutex_};
    ++waiting_;
    changed_.notify_all();
    changed_.wait_for(lock, std::chrono::seconds{30}, [&] { return open_; });
    --waiting_;
  }
  /// Waits (bounded) until someone waits at the gate.
  bool wait_for_someone() {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, std::chrono::seconds{10},
                             [&] { return waiting_ > 0; });
  }
  bool someone_waiting() {
    std::lock_guard lock{mutex_};
    return waiting_ > 0;
  }
  void open() {
    std::lock_guard lock{mutex_};
    open_ = true;
    changed_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

gate* module_gate = nullptr;

/// Holds every `slow/*` event at the module's gate.
class slow_module : public modules::module {
public:
  std::vector<event_type> subscription() const override {
    return {{"slow", "*"}};
  }
  std::vector<register_event> process(const event_source&,
                                      const event&) override {
    module_gate->pass();
    return {};
  }
};

const modules::module_factory slow_factory{
  .name = "slow",
  .create = [](const boost::json::object&, modules::engine_handle&,
               event_source) -> std::unique_ptr<modules::module> {
    return std::make_unique<slow_module>();
  },
};

/// A memory backend whose queries of `slow/*` wait at a gate.
class slow_query_backend : public storage::backend {
public:
  explicit slow_query_backend(gate& g) : gate_(g) {
  }
  event_id last_event_id(int64_t server_id) override {
    return memory_.last_event_id(server_id);
  }
  storage::event_batch register_events(storage::event_batch events) override {
    return memory_.register_events(std::move(events));
  }
  query_result query(const query_params& params) override {
    if (auto* latest = std::get_if<query_latest_params>(&params);
        latest && latest->event_types
        && latest->event_types->front() == event_type{"slow", "*"})
      gate_.pass();
    return memory_.query(params);
  }
  bool persists_on_register() const override {
    return true;
  }

private:
  gate& gate_;
  storage::memory_backend memory_;
};

config::server_config with_placement(config::actor_placement engine,
                                     config::actor_placement store) {
  auto conf = test_server_config();
  conf.placement.engine = engine;
  conf.placement.store = store;
  return conf;
}

enum class request_kind { queries, registrations };

/// What another client (connected before: a client's init registers its
/// CONNECTED through the engine and the store) gets while the gate holds a
/// request: answers to 20 requests of `kind` that do not pass the gate.
void others_are_answered(client::eventer_client& other, gate& held,
                         request_kind kind) {
  for (int i = 0; i < 20; ++i) {
    if (kind == request_kind::queries) {
      auto future = other.query_async(
        query_latest_params{std::vector<event_type>{{"fast", "?"}}});
      REQUIRE(future.wait_for(std::chrono::seconds{5})
              == std::future_status::ready);
      CHECK_NOTHROW(future.get());
      continue;
    }
    auto registered = other.register_with_response_async(
      {json_event({"fast", std::to_string(i)})});
    REQUIRE(registered.wait_for(std::chrono::seconds{5})
            == std::future_status::ready);
    auto events = registered.get();
    REQUIRE(events);
    CHECK(events->size() == 1);
  }
  // Everything above was answered while the request stayed held.
  CHECK(held.someone_waiting());
}

}  // namespace

TEST_CASE("a module held inside its callback stalls neither the network "
          "nor queries, whichever thread runs the engine") {
  for (auto engine : {config::actor_placement::network_thread,
                      config::actor_placement::scheduler}) {
    INFO("engine on ", std::string{engine == config::actor_placement::network_thread
                                     ? "the network thread"
                                     : "the scheduler"});
    gate held;
    module_gate = &held;
    server_seams seams;
    seams.modules = std::vector<module_spec>{
      module_spec{"slow", &slow_factory, nullptr, {{"module", "slow"}}}};
    server_harness server{with_placement(engine, engine), nullptr, true,
                          std::move(seams)};
    auto slow = server.connect("slow");
    auto other = server.connect("other");
    auto pending = slow->register_with_response_async(
      {json_event({"slow", "x"})});
    REQUIRE(held.wait_for_someone());
    // Queries do not wait for the session (registrations do: sessions run
    // one after another, as with the reference).
    others_are_answered(*other, held, request_kind::queries);
    held.open();
    REQUIRE(pending.wait_for(std::chrono::seconds{10})
            == std::future_status::ready);
    auto registered = pending.get();
    REQUIRE(registered);
    CHECK(registered->size() == 1);
    module_gate = nullptr;
  }
}

TEST_CASE("a query held in the store stalls neither the network nor "
          "registrations while the store runs on the scheduler") {
  gate held;
  auto backend = std::make_shared<slow_query_backend>(held);
  server_harness server{
    with_placement(config::actor_placement::network_thread,
                   config::actor_placement::scheduler),
    backend};
  auto slow = server.connect("slow");
  auto other = server.connect("other");
  auto pending = slow->query_async(
    query_latest_params{std::vector<event_type>{{"slow", "*"}}});
  REQUIRE(held.wait_for_someone());
  // Registrations are answered by the engine; queries queue behind the
  // held one in the store, so only registrations are asked for here.
  others_are_answered(*other, held, request_kind::registrations);
  held.open();
  REQUIRE(pending.wait_for(std::chrono::seconds{10})
          == std::future_status::ready);
  CHECK_NOTHROW(pending.get());
}
