// The executable's life: a start that cannot get its address or its
// backend ends the process with exit code 1, the OS's reason in words and
// nothing written; SIGHUP stops in order like SIGTERM; signals that mean
// nothing to the server (SIGUSR1, SIGUSR2, SIGPIPE) leave it serving.

#include <doctest/doctest.h>

#include "tests/loopback_port.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "storage/lmdb_backend.hpp"
#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

using hat::test::taken_port;

namespace {

/// Bound on how long a failing start may take ("within seconds").
constexpr auto start_failure_bound = 5s;

std::string lmdb_config(const std::string& host, uint16_t port,
                        const std::filesystem::path& db) {
  return "type: event\n"
         "name: event-lifecycle\n"
         "server_id: 5\n"
         "backend:\n"
         "    module: hat.event.backends.lmdb\n"
         "    db_path: " + db.string() + "\n"
         "    identifier: null\n"
         "    flush_period: 1\n"
         "    cleanup_period: 5\n"
         "    conditions: []\n"
         "    latest:\n"
         "        subscriptions: [['*']]\n"
         "    timeseries: []\n"
         "modules: []\n"
         "eventer_server:\n"
         "    host: '" + host + "'\n"
         "    port: " + std::to_string(port) + "\n";
}

/// Runs the server on `config`, which must fail to start: exit code 1
/// within the bound, `reason` in the log, the database never created, no
/// engine started, no "signal" pretended.
void check_failed_start(const std::string& config, const std::string& reason,
                        const std::filesystem::path& db) {
  auto conf = test::write_config("lifecycle.yaml", config);
  test::server_process server{{"--conf", conf.string()}};
  auto code = server.wait_exit(start_failure_bound);
  REQUIRE(code);  // before: the process ran on, only SIGKILL ended it
  CHECK(*code == 1);
  CHECK(server.logged("server failed: listen_failed: cannot listen on"));
  CHECK(server.logged(reason));
  CHECK(server.lines_with("[engine] started") == 0);
  CHECK(server.lines_with("signal") == 0);
  CHECK_FALSE(std::filesystem::exists(db));
}

/// Newest event of event/5/engine in the database, opened after the
/// server's exit.
std::string newest_engine_event(const std::filesystem::path& db) {
  storage::lmdb_backend_options options;
  options.db_path = db;
  options.latest_subscriptions = {{"*"}};
  auto backend = storage::lmdb_backend::open(options);
  auto result = backend->query(
    query_latest_params{std::vector<event_type>{{"event", "5", "engine"}}});
  if (result.events.size() != 1)
    return "";
  return std::get<payload_json>(*result.events[0].payload).text;
}

}  // namespace

TEST_CASE("lifecycle: a taken port ends the start, exit 1, nothing written") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  taken_port taken;
  check_failed_start(lmdb_config("127.0.0.1", taken.port, db),
                     std::strerror(EADDRINUSE), db);
}

TEST_CASE("lifecycle: an unresolvable host ends the start, exit 1") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  const char* host = "no-such-host.invalid";
  // The resolver's own words for this machine ("Name or service not
  // known" with a working resolver).
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int resolved = ::getaddrinfo(host, "1", &hints, &found);
  REQUIRE(resolved != 0);
  check_failed_start(lmdb_config(host, 23012, db), ::gai_strerror(resolved),
                     db);
}

TEST_CASE("lifecycle: an address not of this machine ends the start, exit 1") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  // TEST-NET-1 (RFC 5737): only bound to, never sent to.
  check_failed_start(lmdb_config("192.0.2.1", 23012, db),
                     std::strerror(EADDRNOTAVAIL), db);
}

TEST_CASE("lifecycle: a backend that cannot open ends the start, exit 1") {
  test::temp_dir dir;
  // Its folder would have to be created inside a regular file.
  auto blocker = dir.path / "file";
  std::ofstream{blocker} << "not a folder";
  auto db = blocker / "event.db";
  auto conf =
    test::write_config("lifecycle.yaml", lmdb_config("127.0.0.1", 0, db));
  test::server_process server{{"--conf", conf.string()}};
  auto code = server.wait_exit(start_failure_bound);
  REQUIRE(code);
  CHECK(*code == 1);
  CHECK(server.logged("server failed: backend_open_failed: cannot open "
                         "LMDB database " + db.string()));
  CHECK(server.lines_with("[engine] started") == 0);
  CHECK(server.lines_with("listening on") == 0);
}

TEST_CASE("lifecycle: SIGHUP stops in order, STOPPED stored, exit 0") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  auto conf =
    test::write_config("lifecycle.yaml", lmdb_config("127.0.0.1", 0, db));
  test::server_process server{{"--conf", conf.string()}};
  REQUIRE(server.wait_port() != 0);
  REQUIRE(server.logged("[engine] started"));
  server.signal(SIGHUP);
  auto code = server.wait_exit(10s);
  REQUIRE(code);  // before: killed by the signal (no exit code)
  CHECK(*code == 0);
  CHECK(server.logged("(Hangup): stopping"));
  CHECK(newest_engine_event(db) == "\"STOPPED\"");
}

TEST_CASE("lifecycle: SIGUSR1, SIGUSR2 and SIGPIPE are logged, the server "
          "serves on") {
  test::temp_dir dir;
  auto conf = test::write_config(
    "lifecycle.yaml", lmdb_config("127.0.0.1", 0, dir.path / "event.db"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  REQUIRE(server.logged("[engine] started"));
  for (int sig : {SIGUSR1, SIGUSR2, SIGPIPE}) {
    server.signal(sig);
    CHECK(server.logged("signal " + std::to_string(sig) + " ("));
  }
  CHECK(server.lines_with("): ignored") == 3);
  CHECK_FALSE(server.wait_exit(0ms));

  client::client_options opts;
  opts.port = port;
  opts.client_name = "after-signals";
  auto client = client::eventer_client::connect(opts);
  REQUIRE(client);
  auto registered = client->register_with_response(
    {test::json_event({"lifecycle", "alive"})});
  REQUIRE(registered);
  CHECK(registered->size() == 1);
  CHECK((*registered)[0].id.server == 5);

  server.signal(SIGTERM);
  CHECK(server.wait_exit(10s) == std::optional<int>{0});
}
