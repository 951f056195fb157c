// The Eventer side without an engine (a server in standby): queries are
// served, registrations fail, and a status change reaches clients. Built
// from the actors directly, as redundancy will drive them.

#include <doctest/doctest.h>

#include "actors/engine.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;


TEST_CASE("standby: queries work, registrations fail, status changes show") {
  test::standby_eventer eventer;
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
  auto engine = eventer.system.spawn(
    hat::engine, engine_config{.server_id = 4,
                               .storage = eventer.store,
                               .fanout = {},
                               .owner = {},
                               .modules = {}});
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
