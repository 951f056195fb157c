// The Eventer side without an engine (a server in standby): queries are
// served, registrations fail, and a status change reaches clients. Built
// from the actors directly, as redundancy will drive them.

#include <doctest/doctest.h>

#include "actors/engine.hpp"
#include "actors/event_store.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/notify_fanout.hpp"
#include "storage/memory_backend.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

struct standby_eventer {
  test::networked_config caf_config;
  caf::actor_system system{caf_config};
  notify_fanout_actor fanout = system.spawn(notify_fanout, status::standby);
  event_store_actor store =
    system.spawn(event_store, std::make_shared<storage::memory_backend>(),
                 fanout, std::chrono::milliseconds{0});
  caf::actor listener;
  uint16_t port = 0;

  standby_eventer() {
    eventer_settings settings;
    settings.server_id = 4;
    listener = system.middleman().spawn_broker(eventer_listener,
                                               std::string{"127.0.0.1"},
                                               uint16_t{0}, settings, fanout,
                                               store);
    caf::scoped_actor self{system};
    self->request(listener, 5s, atom::get::value, atom::port::value)
      .receive([&](uint16_t p) { port = p; }, [](caf::error&) {});
  }

  ~standby_eventer() {
    caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(fanout, caf::exit_reason::user_shutdown);
  }

  client::client_options options(std::string name) {
    client::client_options opts;
    opts.port = port;
    opts.client_name = std::move(name);
    return opts;
  }
};

}  // namespace

TEST_CASE("standby: queries work, registrations fail, status changes show") {
  standby_eventer eventer;
  REQUIRE(eventer.port != 0);
  auto statuses = std::make_shared<test::inbox<status>>();
  auto opts = eventer.options("standby-client");
  opts.on_status = [statuses](status s) { statuses->push(s); };
  auto client = client::eventer_client::connect(opts);
  CHECK(client->server_status() == status::standby);

  CHECK_FALSE(client->register_with_response({json_event({"x"})}));
  auto result = client->query(query_latest_params{});
  CHECK(result.events.empty());

  // An engine comes: the client is told, and registering works.
  auto engine = eventer.system.spawn(hat::engine, int64_t{4}, eventer.store);
  caf::anon_send(eventer.fanout, atom::status::value, status::operational,
                 engine);
  REQUIRE(statuses->wait_for_count(1));
  CHECK(statuses->items().back() == status::operational);
  auto events = client->register_with_response({json_event({"x"})});
  REQUIRE(events);
  CHECK((*events)[0].id.server == 4);

  // And goes: standby again, failure again.
  caf::anon_send(eventer.fanout, atom::status::value, status::standby,
                 engine_actor{});
  caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
  REQUIRE(statuses->wait_for_count(2));
  CHECK(statuses->items().back() == status::standby);
  CHECK_FALSE(client->register_with_response({json_event({"y"})}));
}
