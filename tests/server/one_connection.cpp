#include "tests/server/one_connection.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "actors/event_store.hpp"
#include "actors/notify_fanout.hpp"
#include "client/tcp_socket.hpp"
#include "storage/memory_backend.hpp"
#include "tests/loopback_port.hpp"

namespace hat::test {

namespace {

using namespace std::chrono_literals;

storage::event_batch empty_session() {
  return std::make_shared<std::vector<event>>();
}

bool is_status_event(const std::string& payload) {
  return payload == "\"CONNECTED\"" || payload == "\"DISCONNECTED\"";
}

struct engine_state {
  bool holding = false;
  std::vector<caf::response_promise> held;
};

/// See one_connection::engine.
caf::behavior recording_engine(caf::stateful_actor<engine_state>* self,
                               std::shared_ptr<inbox<std::string>> seen,
                               bool hold) {
  self->state.holding = hold;
  return {
    [self, seen](atom::register_, const event_source&,
                 const std::vector<register_event>& events)
      -> caf::result<storage::event_batch> {
      bool status_only = true;
      for (auto& e : events) {
        const payload_json* json = nullptr;
        if (e.payload)
          json = std::get_if<payload_json>(&*e.payload);
        seen->push(json ? json->text : std::string{});
        status_only = status_only && json && is_status_event(json->text);
      }
      if (!self->state.holding || status_only)
        return empty_session();
      auto promise = self->make_response_promise<storage::event_batch>();
      self->state.held.push_back(promise);
      return promise;
    },
    [self](atom::ok) {
      self->state.holding = false;
      for (auto& promise : self->state.held)
        promise.deliver(empty_session());
      self->state.held.clear();
    },
    // Answered after everything that reached the mailbox before.
    [](int probe) { return probe; },
  };
}


}  // namespace

size_t count_of(const std::vector<std::string>& items, std::string_view what) {
  return static_cast<size_t>(std::count(items.begin(), items.end(), what));
}

one_connection::one_connection(bool hold_registers)
  : engine(system.spawn(recording_engine, seen, hold_registers)),
    fanout(system.spawn(notify_fanout, status::operational)),
    store(system.spawn(event_store,
                       std::make_shared<storage::memory_backend>(), fanout,
                       event_store_options{})) {
  caf::anon_send(fanout, atom::status::value, status::operational,
                 caf::actor_cast<engine_actor>(engine));
}

one_connection::~one_connection() {
  if (client_fd >= 0)
    ::close(client_fd);
  if (broker)
    caf::anon_send_exit(broker, caf::exit_reason::kill);
  caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(fanout, caf::exit_reason::user_shutdown);
}

void one_connection::start(eventer_settings settings) {
  taken_port listener;
  if (settings.server_id == 0)
    settings.server_id = 1;
  auto spawned = system.middleman().spawn_client(
    eventer_connection, "127.0.0.1", listener.port, int64_t{7}, settings,
    fanout, store);
  REQUIRE(spawned);
  broker = caf::actor_cast<caf::actor>(*spawned);
  client_fd = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(client_fd >= 0);

  client_write(init_subscribing_all("doomed"));
  REQUIRE(seen->wait_until(
    [](auto& items) { return count_of(items, "\"CONNECTED\"") == 1; }));
}

void one_connection::client_write(const std::vector<char>& bytes) {
  REQUIRE(client::tcp::write_all(client_fd, bytes) == 0);
}

void one_connection::release() {
  caf::anon_send(engine, atom::ok::value);
}

bool one_connection::engine_caught_up() {
  caf::scoped_actor self{system};
  bool answered = false;
  self->request(engine, 10s, 42).receive([&](int) { answered = true; },
                                         [](caf::error&) {});
  return answered;
}

bool one_connection::broker_ended() {
  caf::scoped_actor self{system};
  self->monitor(broker);
  bool ended = false;
  self->receive([&](caf::down_msg&) { ended = true; },
                caf::after(10s) >> [] {});
  return ended;
}

}  // namespace hat::test
