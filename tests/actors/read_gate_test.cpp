// read_gate (actors/read_gate.hpp): a resumption decided in the network
// loop's turn of the halt is not lost, and a halt after a resumption in
// one turn wins. Real TCP on 127.0.0.1: a broker connected to a socket
// the test writes into.
//
// With CAF's halt() and trigger() in place of the gate, the first case
// never sees its second chunk (CAF 0.17 applies the halt at the end of
// the turn and drops the trigger).

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <chrono>
#include <string>

#include "actors/atoms.hpp"
#include "actors/read_gate.hpp"
#include "actors/runtime_config.hpp"
#include "tests/loopback_port.hpp"

namespace {

using namespace std::chrono_literals;

/// What the probe does with its first chunk of data, in that turn.
enum class first_chunk { halt_resume, halt_resume_halt };

struct gate_probe_state {
  hat::read_gate reading;
  bool first = true;
  static inline const char* name = "read_gate_probe";
};

/// Tells `observer` ("data", bytes) for every chunk it reads and
/// ("resumed") when asked to resume by (atom::ok).
caf::behavior gate_probe(caf::io::stateful_broker<gate_probe_state>* self,
                         caf::io::connection_handle handle,
                         caf::actor observer, first_chunk plan) {
  self->configure_read(handle, caf::io::receive_policy::at_most(1024));
  return {
    [=](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      self->send(observer, std::string{"data"},
                 std::string{msg.buf.begin(), msg.buf.end()});
      if (!st.first)
        return;
      st.first = false;
      st.reading.halt(self, handle);
      st.reading.resume(self);
      if (plan == first_chunk::halt_resume_halt)
        st.reading.halt(self, handle);
    },
    [=](hat::atom::read_on) { self->state.reading.on_read_on(self, handle); },
    [=](hat::atom::ok) {
      self->send(observer, std::string{"resumed"}, std::string{});
      self->state.reading.resume(self);
    },
    [=](caf::io::connection_closed_msg&) { self->quit(); },
  };
}

/// A probe broker connected to a socket the test writes into.
struct connected_probe {
  hat::runtime_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  hat::test::loopback_port listener{true};
  int peer = -1;
  caf::actor probe;

  explicit connected_probe(first_chunk plan) {
    auto spawned = system.middleman().spawn_client(
      gate_probe, "127.0.0.1", listener.port,
      caf::actor_cast<caf::actor>(self), plan);
    REQUIRE(spawned);
    probe = *spawned;
    peer = ::accept(listener.fd, nullptr, nullptr);
    REQUIRE(peer >= 0);
  }
  ~connected_probe() {
    self->send_exit(probe, caf::exit_reason::user_shutdown);
    if (peer >= 0)
      ::close(peer);
  }
  void write(const std::string& bytes) {
    REQUIRE(::send(peer, bytes.data(), bytes.size(), MSG_NOSIGNAL)
            == static_cast<ssize_t>(bytes.size()));
  }
};

/// The next (what, bytes) the probe reports, or ("none") after the bound.
std::pair<std::string, std::string> next_report(caf::scoped_actor& self) {
  std::pair<std::string, std::string> report{"none", ""};
  self->receive(
    [&](const std::string& what, const std::string& bytes) {
      report = {what, bytes};
    },
    caf::after(10s) >> [] {});
  return report;
}

}  // namespace

TEST_CASE("read_gate: reading resumed in the turn of its halt goes on") {
  connected_probe tcp{first_chunk::halt_resume};
  tcp.write("first");
  CHECK(next_report(tcp.self)
        == std::pair<std::string, std::string>{"data", "first"});
  tcp.write("second");
  CHECK(next_report(tcp.self)
        == std::pair<std::string, std::string>{"data", "second"});
}

TEST_CASE("read_gate: a halt after a resumption in one turn wins") {
  connected_probe tcp{first_chunk::halt_resume_halt};
  tcp.write("first");
  CHECK(next_report(tcp.self).second == "first");
  // Written while the probe is halted: read only once it is resumed.
  tcp.write("second");
  tcp.self->send(tcp.probe, hat::atom::ok::value);
  CHECK(next_report(tcp.self).first == "resumed");
  CHECK(next_report(tcp.self)
        == std::pair<std::string, std::string>{"data", "second"});
}
