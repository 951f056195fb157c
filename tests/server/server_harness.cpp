#include "tests/server/server_harness.hpp"

#include "actors/event_store.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/notify_fanout.hpp"
#include "actors/server_error.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"
#include "storage/memory_backend.hpp"

#include <thread>

namespace hat::test {

config::server_config test_server_config(int64_t server_id) {
  config::server_config conf;
  conf.name = "event-test";
  conf.server_id = server_id;
  conf.backend.kind = config::backend_kind::memory;
  conf.eventer_server.addr = {"127.0.0.1", 0};
  return conf;
}

config::server_config test_lmdb_server_config(int64_t server_id,
                                              const std::filesystem::path& db) {
  auto conf = test_server_config(server_id);
  conf.backend.kind = config::backend_kind::lmdb;
  config::lmdb_backend_config lmdb;
  lmdb.db_path = db;
  lmdb.flush_period = 0.05;
  lmdb.latest_subscriptions = {{"*"}};
  lmdb.timeseries.push_back(
    storage::partition_options{order_by::timestamp, {{"*"}}, std::nullopt});
  conf.backend.lmdb = lmdb;
  return conf;
}

server_harness::server_harness(config::server_config conf,
                               std::shared_ptr<storage::backend> backend,
                               bool wait_operational, server_seams seams)
  : config(std::move(conf)) {
  server = system.spawn(hat::server_with_seams, config, std::move(backend),
                        std::move(seams));
  caf::scoped_actor self{system};
  self->request(server, std::chrono::seconds{10}, atom::get::value,
                atom::port::value)
    .receive([&](uint16_t port) { port_ = port; },
             [&](caf::error& err) {
               throw std::runtime_error("server did not start: "
                                        + system.render(err));
             });
  // Operational only once the engine's STARTED is stored: before that a
  // client's registrations would be refused. A bounded poll.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  for (bool operational = !wait_operational; !operational;) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("server did not become operational");
    self->request(server, std::chrono::seconds{10}, atom::get::value,
                  atom::status::value)
      .receive([&](status s, const engine_actor&) {
                 operational = s == status::operational;
               },
               [&](caf::error& err) {
                 throw std::runtime_error("server did not start: "
                                          + system.render(err));
               });
    if (!operational)
      std::this_thread::yield();
  }
}

server_harness::~server_harness() {
  shutdown();
}

bool server_harness::shutdown() {
  if (stopped_)
    return true;
  caf::scoped_actor self{system};
  self->monitor(server);
  bool done = false;
  self->request(server, std::chrono::seconds{10}, atom::shutdown::value)
    .receive([&](atom::ok) { done = true; }, [&](caf::error&) {});
  self->receive([](caf::down_msg&) {},
                caf::after(std::chrono::seconds{10}) >> [] {});
  stopped_ = true;
  return done;
}

std::optional<caf::error>
server_harness::wait_stopped(std::chrono::milliseconds bound) {
  caf::scoped_actor self{system};
  self->monitor(server);
  std::optional<caf::error> reason;
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                caf::after(bound) >> [] {});
  if (reason)
    stopped_ = true;
  return reason;
}

client::client_options server_harness::options(std::string name) const {
  client::client_options opts;
  opts.port = port_;
  opts.client_name = std::move(name);
  opts.timeout = std::chrono::milliseconds{5000};
  return opts;
}

std::unique_ptr<client::eventer_client>
server_harness::connect(std::string name,
                        std::vector<event_type> subscriptions) {
  auto opts = options(std::move(name));
  opts.subscriptions = std::move(subscriptions);
  return client::eventer_client::connect(std::move(opts));
}

subscriber subscribe(server_harness& harness, client::client_options options) {
  subscriber sub;
  options.port = harness.port();
  auto events = sub.events;
  auto statuses = sub.statuses;
  options.on_events = [events](std::vector<event> batch) {
    for (auto& e : batch)
      events->push(std::move(e));
  };
  options.on_status = [statuses](status s) { statuses->push(s); };
  sub.client = client::eventer_client::connect(std::move(options));
  return sub;
}

standby_eventer::standby_eventer(int64_t server_id) {
  fanout = system.spawn(notify_fanout, status::standby);
  store = system.spawn(event_store, std::make_shared<storage::memory_backend>(),
                       fanout, event_store_options{});
  eventer_settings settings;
  settings.server_id = server_id;
  auto socket = open_listen_socket("127.0.0.1", 0);
  if (!socket)
    throw std::runtime_error(render_error(socket.error()));
  listener = system.middleman().spawn_broker(eventer_listener, *socket,
                                             settings, fanout, store);
  caf::scoped_actor self{system};
  self->request(listener, std::chrono::seconds{5}, atom::get::value,
                atom::port::value)
    .receive([&](uint16_t p) { port = p; }, [](caf::error&) {});
}

standby_eventer::~standby_eventer() {
  caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(fanout, caf::exit_reason::user_shutdown);
}

client::client_options standby_eventer::options(std::string name) const {
  client::client_options opts;
  opts.port = port;
  opts.client_name = std::move(name);
  return opts;
}

register_event json_event(event_type type, std::string json) {
  return register_event{std::move(type), std::nullopt,
                        payload_json{std::move(json)}};
}

std::vector<char> init_subscribing_all(std::string name) {
  chatter::connection framer;
  std::vector<char> out;
  eventer::msg_init_req init{std::move(name), std::nullopt, {{"*"}},
                             std::nullopt, false};
  framer.send(out, eventer::type_name_of<eventer::msg_init_req>(),
              eventer::encoded_size(init),
              [&](char* at) { eventer::encode_to(at, init); }, std::nullopt,
              false);
  return out;
}

caf::error start_failure(const config::server_config& conf) {
  networked_config caf_config;
  caf::actor_system system{caf_config};
  auto server = system.spawn(hat::server, conf, nullptr);
  caf::scoped_actor self{system};
  self->monitor(server);
  caf::error reason;
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                caf::after(std::chrono::seconds{5}) >> [] {});
  return reason;
}

}  // namespace hat::test
