// Every CONNECTED gets its DISCONNECTED, however the connection's broker
// ends: closed by the client, or killed (as an exception would end it).

#include <doctest/doctest.h>

#include <unistd.h>

#include "tests/server/one_connection.hpp"

using namespace hat;

TEST_CASE("a connection broker that is killed still registers DISCONNECTED") {
  test::one_connection conn;
  conn.start();
  caf::anon_send_exit(conn.broker, caf::exit_reason::kill);
  REQUIRE(conn.broker_ended());
  REQUIRE(conn.engine_caught_up());
  // Before: only the orderly close registered it; a broker ended by an
  // exception or a kill left the CONNECTED without its DISCONNECTED.
  CHECK(test::count_of(conn.seen->items(), "\"DISCONNECTED\"") == 1);
}

TEST_CASE("a connection closed by its client registers DISCONNECTED once") {
  test::one_connection conn;
  conn.start();
  ::close(std::exchange(conn.client_fd, -1));
  REQUIRE(conn.broker_ended());
  // The broker's state was destroyed before its end was reported: had
  // that registered DISCONNECTED again, the engine has it by now.
  REQUIRE(conn.engine_caught_up());
  CHECK(test::count_of(conn.seen->items(), "\"DISCONNECTED\"") == 1);
}
