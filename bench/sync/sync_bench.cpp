// Catch-up benchmark: one sync actor copies every event of a peer Event
// Server (a running hat-event-server, already filled) into a fresh LMDB
// file, through the event store's write port, as a standby member does.
// Next to it, in the same run, the ceiling on this machine for the same
// transfer without storing: a client paging through the same server
// queries. Prints figures and one "result" line of key=value pairs.
//
//   hat-event-sync-bench --port P --server-id N --db PATH [--host H]

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "actors/event_store.hpp"
#include "actors/notify_fanout.hpp"
#include "actors/runtime_config.hpp"
#include "actors/sync_actor.hpp"
#include "client/eventer_client.hpp"
#include "log/logger.hpp"
#include "storage/lmdb_backend.hpp"

using namespace hat;
using clock_type = std::chrono::steady_clock;

namespace {

struct arguments {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int64_t server_id = 1;
  std::string db;
};

arguments parse(int argc, char** argv) {
  arguments args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    std::string value = argv[i + 1];
    if (key == "--host")
      args.host = value;
    else if (key == "--port")
      args.port = static_cast<uint16_t>(std::stoi(value));
    else if (key == "--server-id")
      args.server_id = std::stoll(value);
    else if (key == "--db")
      args.db = value;
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (args.port == 0 || args.db.empty())
    throw std::invalid_argument(
      "usage: hat-event-sync-bench --port P --server-id N --db PATH");
  return args;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// The ceiling: every persisted event of the peer by server queries, as
/// the catch-up reads them, decoded and dropped. Returns (events, last id,
/// seconds).
std::tuple<size_t, event_id, double> read_all(const arguments& args) {
  client::client_options options;
  options.host = args.host;
  options.port = args.port;
  options.client_name = "sync-bench-reader";
  options.timeout = std::chrono::seconds{60};
  auto client = client::eventer_client::connect(options);
  size_t count = 0;
  event_id last{args.server_id, 0, 0};
  auto start = clock_type::now();
  for (;;) {
    query_server_params params;
    params.server_id = args.server_id;
    params.persisted = true;
    params.last_event_id = last;
    auto page = client->query(query_params{params});
    count += page.events.size();
    if (!page.events.empty())
      last = page.events.back().id;
    if (!page.more_follows)
      break;
  }
  return {count, last, seconds_since(start)};
}

}  // namespace

int main(int argc, char** argv) try {
  auto args = parse(argc, argv);
  log::set_level(log::level::warning);
  auto [count, last, read_s] = read_all(args);
  std::printf("query only (the ceiling): %zu events in %.3f s, %.0f "
              "events/s\n",
              count, read_s, count / read_s);

  runtime_config config;
  caf::actor_system system{config};
  storage::lmdb_backend_options lmdb;
  lmdb.db_path = args.db;
  lmdb.latest_subscriptions = {{"*"}};
  lmdb.timeseries.push_back(
    storage::partition_options{order_by::timestamp, {{"*"}}, std::nullopt});
  std::shared_ptr<storage::backend> backend =
    storage::lmdb_backend::open(lmdb);
  auto fanout = system.spawn(notify_fanout, status::standby);
  event_store_options store_options;
  store_options.flush_period = std::chrono::milliseconds{1000};
  store_options.detached_writer = true;
  auto store = system.spawn<caf::detached>(event_store, backend, fanout,
                                           store_options);

  sync_settings settings;
  settings.server_id = args.server_id + 1000;
  settings.name = "sync-bench";
  settings.peer = peer_info{args.server_id, args.host, args.port, "peer"};
  auto start = clock_type::now();
  auto sync_actor = system.spawn(hat::sync, settings, store, engine_actor{});

  // Polled (a benchmark, not a test): the store's newest id of the peer.
  caf::scoped_actor self{system};
  event_id stored{args.server_id, 0, 0};
  while (stored < last) {
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
    self->request(store, caf::infinite, atom::last_id::value, args.server_id)
      .receive([&](event_id id) { stored = id; },
               [](caf::error& err) {
                 throw std::runtime_error(caf::to_string(err));
               });
    if (seconds_since(start) > 300)
      throw std::runtime_error("catch-up did not finish in 300 s");
  }
  auto stored_s = seconds_since(start);
  self->request(store, caf::infinite, atom::flush::value)
    .receive([](atom::ok) {},
             [](caf::error& err) {
               throw std::runtime_error(caf::to_string(err));
             });
  auto persisted_s = seconds_since(start);
  std::printf("catch-up into LMDB: %zu events stored in %.3f s (%.0f "
              "events/s), persisted in %.3f s (%.0f events/s)\n",
              count, stored_s, count / stored_s, persisted_s,
              count / persisted_s);
  std::printf("result events=%zu stored_events_per_s=%.0f "
              "persisted_events_per_s=%.0f query_events_per_s=%.0f "
              "ratio=%.2f\n",
              count, count / stored_s, count / persisted_s, count / read_s,
              read_s / persisted_s);
  self->send_exit(sync_actor, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
  self->send_exit(fanout, caf::exit_reason::user_shutdown);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "hat-event-sync-bench: %s\n", e.what());
  return 1;
}
