// The real executable refuses LMDB files it must not use: one another
// server holds (same db_path), and one cut short. Either way it exits with
// code 1 and a message naming the file, and a server already running on
// the file goes on serving.

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/lmdb_backend.hpp"
#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

std::filesystem::path lmdb_config(const std::string& name,
                                  const std::filesystem::path& db) {
  return test::write_config(
    name, test::server_config_text("event-lmdb-file", 1, R"(
    module: hat.event.backends.lmdb
    db_path: )" + db.string() + R"(
    identifier: null
    flush_period: 0.05
    cleanup_period: 5
    conditions: []
    latest:
        subscriptions: [["*"]]
    timeseries:
      - order_by: TIMESTAMP
        subscriptions: [["*"]])"));
}

std::unique_ptr<client::eventer_client> connect(uint16_t port) {
  client::client_options opts;
  opts.port = port;
  opts.client_name = "lmdb-file-test";
  return client::eventer_client::connect(opts);
}

}  // namespace

TEST_CASE("lmdb server: a second server on the same db_path exits 1") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  auto conf = lmdb_config("lmdb-lock.yaml", db);
  test::server_process first{{"--conf", conf.string()}};
  auto port = first.wait_port();
  REQUIRE(port != 0);

  test::server_process second{{"--conf", conf.string()}};
  auto code = second.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 1);
  CHECK(second.logged(db.string() + " is in use"));

  // The first goes on serving; only its events are in the file.
  auto client = connect(port);
  auto registered =
    client->register_with_response({test::json_event({"lock", "a"})});
  REQUIRE(registered);
  CHECK((*registered)[0].id.server == 1);
  query_timeseries_params series;
  series.event_types = std::vector<event_type>{{"lock", "*"}};
  CHECK(client->query(series).events.size() == 1);
}

TEST_CASE("lmdb server: a database file cut short exits 1 naming it") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  {
    storage::lmdb_backend_options options;
    options.db_path = db;
    options.latest_subscriptions = {{"*"}};
    options.timeseries.push_back({order_by::timestamp, {{"*"}}, std::nullopt});
    auto backend = storage::lmdb_backend::open(options);
    std::vector<event> events;
    for (int i = 1; i <= 2000; ++i) {
      event e;
      e.id = event_id{1, 1, i};
      e.type = event_type{"cut", std::to_string(i % 50)};
      e.timestamp = timestamp{1000 + i, 0};
      e.payload = payload_json{"\"" + std::string(300, 'x') + "\""};
      events.push_back(std::move(e));
    }
    backend->register_events(
      std::make_shared<const std::vector<event>>(std::move(events)));
    backend->flush();
  }
  auto size = std::filesystem::file_size(db);
  std::filesystem::resize_file(db, size / 2);

  auto conf = lmdb_config("lmdb-cut.yaml", db);
  test::server_process server{{"--conf", conf.string()}};
  auto code = server.wait_exit(10s);
  // Before the check: it served a latest query, then died with SIGBUS on
  // a time-series one.
  REQUIRE(code);
  CHECK(*code == 1);
  CHECK(server.logged(db.string() + " is damaged: " +
                         std::to_string(size / 2) + " bytes"));
}
