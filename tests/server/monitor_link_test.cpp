// A server under a Hat Monitor (a test double on our protocol layer): it
// waits for its blessing, runs its engine only after the monitor echoed
// its answer, gives the answer back only after the engine stopped, and
// ends in order, with an error, when the monitor goes.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/server_error.hpp"
#include "protocol/monitor_data.hpp"
#include "tests/loopback_port.hpp"
#include "tests/server/monitor_double.hpp"

using namespace hat;
using namespace std::chrono_literals;
using observer::blessing_res;

namespace {

config::server_config monitored_config(uint16_t monitor_port) {
  auto conf = test::test_server_config(1);
  conf.name = "event-1";
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor_port}, "event"};
  return conf;
}

/// Waits until the last MsgClient component `index` sent answers `want`.
bool answered(test::monitor_double& monitor, size_t index,
              blessing_res want) {
  return monitor.clients(index).wait_until([&](auto& items) {
    return !items.empty() && items.back().blessing_res == want;
  });
}

/// Waits until component `index` has sent `want`, in this order, among
/// its MsgClient (others may come between: a step can pass quickly).
bool sent_in_order(test::monitor_double& monitor, size_t index,
                   std::vector<blessing_res> want) {
  return monitor.clients(index).wait_until([&](auto& items) {
    size_t next = 0;
    for (auto& msg : items)
      if (next < want.size() && msg.blessing_res == want[next])
        ++next;
    return next == want.size();
  });
}

/// The monitor's state for our component asking `req`, echoing its last
/// answer.
void tell(test::monitor_double& monitor, std::optional<int64_t> req) {
  auto last = monitor.clients(0).items().back();
  monitor.send(0, test::single_component_state(1, last, req));
}

bool saw(test::subscriber& sub, status s) {
  return sub.statuses->wait_until([s](auto& items) {
    return std::find(items.begin(), items.end(), s) != items.end();
  });
}

/// Blessed with token 7 and operational.
void bless(test::monitor_double& monitor, test::subscriber& watcher) {
  tell(monitor, 7);
  REQUIRE(answered(monitor, 0, blessing_res{7, true}));
  tell(monitor, 7);
  REQUIRE(saw(watcher, status::operational));
}

bool stopped_with(test::server_harness& harness, ec code) {
  auto reason = harness.wait_stopped(10s);
  return reason && is(*reason, code);
}

}  // namespace

TEST_CASE("monitored server: standby until blessed, operational after the "
          "echo, standby again once the blessing is withdrawn") {
  test::monitor_double monitor;
  test::server_harness harness{monitored_config(monitor.port()), {}, false};
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(answered(monitor, 0, blessing_res{std::nullopt, true}));
  auto first = monitor.clients(0).items().front();
  CHECK(first.blessing_res == blessing_res{std::nullopt, false});
  CHECK(first.name == "event-1");
  CHECK(first.group == "event");
  CHECK(first.data
        == observer::monitor_data_json(1, "127.0.0.1", harness.port(),
                                       std::nullopt));

  auto watcher = test::subscribe(harness, [&] {
    auto opts = harness.options("watcher");
    opts.subscriptions = {{"event", "1", "engine"}};
    return opts;
  }());
  CHECK(watcher.client->server_status() == status::standby);
  auto producer = harness.connect("producer");
  CHECK_FALSE(producer->register_with_response({test::json_event({"a"})}));

  // Requested: answered, but no engine before the monitor echoes it.
  tell(monitor, 7);
  REQUIRE(answered(monitor, 0, blessing_res{7, true}));
  CHECK(watcher.client->server_status() == status::standby);
  tell(monitor, 7);
  REQUIRE(saw(watcher, status::operational));
  auto reg = producer->register_with_response({test::json_event({"a"})});
  REQUIRE(reg);
  CHECK(reg->size() == 1);

  // Withdrawn: the engine stops (STOPPED stored and notified), the status
  // goes back to standby, and only then is the answer given back.
  tell(monitor, std::nullopt);
  REQUIRE(answered(monitor, 0, blessing_res{std::nullopt, true}));
  CHECK(saw(watcher, status::stopping));
  CHECK(saw(watcher, status::standby));
  CHECK(watcher.events->wait_until([](auto& events) {
    for (auto& e : events)
      if (e.payload
          && std::get<payload_json>(*e.payload).text == "\"STOPPED\"")
        return true;
    return false;
  }));
  CHECK_FALSE(producer->register_with_response({test::json_event({"a"})}));
}

TEST_CASE("monitored server: MsgClose stops it in order, monitor_closed") {
  test::monitor_double monitor;
  test::server_harness harness{monitored_config(monitor.port()), {}, false};
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(answered(monitor, 0, blessing_res{std::nullopt, true}));
  auto watcher = test::subscribe(harness, [&] {
    auto opts = harness.options("watcher");
    opts.subscriptions = {{"event", "1", "engine"}};
    return opts;
  }());
  bless(monitor, watcher);
  monitor.send(0, observer::msg_close{});
  CHECK(stopped_with(harness, ec::monitor_closed));
  // The engine was stopped before the connections went.
  CHECK(watcher.events->wait_until([](auto& events) {
    return !events.empty()
           && std::get<payload_json>(*events.back().payload).text
                == "\"STOPPED\"";
  }));
  CHECK(monitor.wait_closed(0));
}

TEST_CASE("monitored server: the monitor connection lost stops it, "
          "monitor_lost") {
  test::monitor_double monitor;
  test::server_harness harness{monitored_config(monitor.port()), {}, false};
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(answered(monitor, 0, blessing_res{std::nullopt, true}));
  monitor.drop(0);
  CHECK(stopped_with(harness, ec::monitor_lost));
}

TEST_CASE("monitored server: no monitor at start ends it, "
          "monitor_unreachable") {
  // A port nothing listens on while the test runs.
  test::closed_port nobody;
  test::networked_config caf_config;
  caf::actor_system system{caf_config};
  auto server = system.spawn(hat::server, monitored_config(nobody.port),
                             std::shared_ptr<storage::backend>{});
  caf::scoped_actor self{system};
  self->monitor(server);
  std::optional<caf::error> reason;
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                caf::after(10s) >> [] {});
  REQUIRE(reason);
  CHECK(is(*reason, ec::monitor_unreachable));
  CHECK(render_error(*reason).find("cannot connect to the monitor at "
                                   "127.0.0.1:")
        != std::string::npos);
}

TEST_CASE("monitored server: a ready reset gives the blessing up and comes "
          "back ready once the monitor echoes it") {
  test::monitor_double monitor;
  test::server_harness harness{monitored_config(monitor.port()), {}, false};
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(answered(monitor, 0, blessing_res{std::nullopt, true}));
  auto watcher = test::subscribe(harness, harness.options("watcher"));
  bless(monitor, watcher);

  // What a module's reset_monitor_ready() reaches the server as.
  caf::anon_send(harness.server, atom::reset_ready::value);
  // Not ready (still answering 7), then given back once the engine
  // stopped.
  REQUIRE(sent_in_order(monitor, 0,
                        {blessing_res{7, false},
                         blessing_res{std::nullopt, false}}));
  CHECK(saw(watcher, status::standby));
  // Not ready again before the monitor echoed the withdrawn answer.
  CHECK(monitor.clients(0).items().back()
        == observer::msg_client{"event-1", "event",
                                monitor.clients(0).items().back().data,
                                blessing_res{std::nullopt, false}});
  // The monitor takes the blessing away and echoes the withdrawn answer:
  // ready again.
  tell(monitor, std::nullopt);
  CHECK(answered(monitor, 0, blessing_res{std::nullopt, true}));
}
