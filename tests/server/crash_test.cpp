// Crash safety on LMDB: a server killed with SIGKILL under load restarts on
// the same file, and every event whose persisted notification a client
// received is there; new session ids continue above the old ones.

#include <doctest/doctest.h>

#include <set>

#include "tests/server/server_process.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

std::string lmdb_config(const std::filesystem::path& db) {
  // No `log`: the built-in stderr lines the test reads.
  return "name: event-crash\n"
         "server_id: 3\n"
         + test::lmdb_backend_yaml(db)
         + "modules: []\n"
         "eventer_server: {host: 127.0.0.1, port: 0}\n";
}

client::client_options options_for(uint16_t port, std::string name) {
  client::client_options opts;
  opts.port = port;
  opts.client_name = std::move(name);
  return opts;
}

}  // namespace

TEST_CASE("crash: SIGKILL under load loses nothing that was persisted") {
  auto dir = std::filesystem::temp_directory_path()
             / ("hat-crash-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto conf = test::write_config("crash.yaml", lmdb_config(dir / "e.db"));

  std::set<event_id> persisted_ids;
  int64_t persisted_max_session = 0;
  {
    test::server_process server{{"--conf", conf.string()}};
    auto port = server.wait_port();
    REQUIRE(port != 0);

    auto persisted = std::make_shared<test::inbox<event>>();
    auto watcher_opts = options_for(port, "watcher");
    watcher_opts.subscriptions = {{"load", "*"}};
    watcher_opts.persisted = true;
    watcher_opts.on_events = [persisted](std::vector<event> batch) {
      for (auto& e : batch)
        persisted->push(std::move(e));
    };
    auto watcher = client::eventer_client::connect(watcher_opts);

    auto producer = client::eventer_client::connect(
      options_for(port, "producer"));
    // Registrations without waiting for each answer keep the server busy
    // when the kill comes; enough persisted events prove flushes happened.
    std::vector<std::future<std::optional<std::vector<event>>>> pending;
    for (int i = 0; i < 400; ++i) {
      std::vector<register_event> batch;
      for (int j = 0; j < 10; ++j)
        batch.push_back(json_event({"load", std::to_string(j)},
                                   std::to_string(i)));
      pending.push_back(producer->register_with_response_async(batch));
      if (i == 200)
        REQUIRE(persisted->wait_for_count(500, 10s));
    }
    server.signal(SIGKILL);
    auto code = server.wait_exit(10s);
    REQUIRE(code);
    CHECK(watcher->wait_closed(5s));
    for (auto& e : persisted->items()) {
      persisted_ids.insert(e.id);
      persisted_max_session = std::max(persisted_max_session, e.id.session);
    }
  }
  REQUIRE(persisted_ids.size() >= 500);

  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  auto client = client::eventer_client::connect(options_for(port, "check"));
  std::set<event_id> stored;
  std::optional<event_id> after;
  for (int page = 0; page < 1000; ++page) {
    auto result = client->query(query_server_params{3, true, 1000, after});
    for (auto& e : result.events)
      stored.insert(e.id);
    if (!result.more_follows)
      break;
    after = result.events.back().id;
  }
  MESSAGE("persisted before the kill: ", persisted_ids.size(),
          ", stored after the restart: ", stored.size());
  size_t missing = 0;
  for (auto& id : persisted_ids)
    missing += stored.count(id) == 0 ? 1 : 0;
  CHECK(missing == 0);
  auto next = client->register_with_response({json_event({"after"})});
  REQUIRE(next);
  CHECK((*next)[0].id.session > persisted_max_session);
  server.signal(SIGTERM);
  CHECK(server.wait_exit(10s) == std::optional<int>{0});
  std::filesystem::remove_all(dir);
}
