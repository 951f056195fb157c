// Where placeable actors run (actors/placement.hpp): spawned for the network
// thread they run on the thread that runs the brokers, spawned for the
// scheduler they do not; messages from scheduler threads, from a broker and
// from timers all reach them, in order.

#include <doctest/doctest.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <thread>

#include "actors/atoms.hpp"
#include "actors/placement.hpp"
#include "actors/runtime_config.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::thread::id)

namespace {

using probe_actor = caf::typed_actor<
  caf::replies_to<hat::atom::get>::with<std::thread::id>,
  caf::replies_to<hat::atom::get, int64_t>::with<std::vector<int64_t>>,
  caf::reacts_to<int64_t>>;

struct probe_state {
  std::vector<int64_t> seen;
  static inline const char* name = "placement_probe";
};

using probe_pointer = hat::placeable_pointer<probe_actor, probe_state>;

/// Answers its thread, records numbers; `self_ticks` numbers come from a
/// delayed message to itself (a timer, the clock's thread).
probe_actor::behavior_type probe(probe_pointer self, int64_t self_ticks) {
  for (int64_t i = 0; i < self_ticks; ++i)
    self->delayed_send(self, std::chrono::milliseconds{1}, -1 - i);
  return {
    [](hat::atom::get) { return std::this_thread::get_id(); },
    [self](hat::atom::get, int64_t) { return self->state.seen; },
    [self](int64_t n) { self->state.seen.push_back(n); },
  };
}

/// A broker without connections: runs on the network thread. (It takes an
/// argument it ignores: CAF 0.17 dereferences a null argument tuple for
/// functions spawned without one, which UBSan reports.)
caf::behavior network_thread_probe(caf::io::broker*, int) {
  return {[](hat::atom::get) { return std::this_thread::get_id(); }};
}

/// A broker that sends `count` numbers to `target` when asked.
caf::behavior broker_sender(caf::io::broker* self, probe_actor target) {
  return {[self, target](hat::atom::ok, int64_t count) {
    for (int64_t i = 0; i < count; ++i)
      self->send(target, 1000 + i);
  }};
}

template <class Handle>
std::thread::id thread_of(caf::scoped_actor& self, const Handle& handle) {
  std::thread::id id;
  self->request(handle, std::chrono::seconds{10}, hat::atom::get::value)
    .receive([&](std::thread::id answer) { id = answer; },
             [](caf::error& err) { FAIL("no answer: ", to_string(err)); });
  return id;
}

}  // namespace

TEST_CASE("placement: network_thread runs on the brokers' thread, "
          "scheduler does not, and every message gets there in order") {
  hat::runtime_config config;
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  auto broker = system.middleman().spawn_broker(network_thread_probe, 0);
  auto network_thread = thread_of(self, broker);
  CHECK(network_thread != std::this_thread::get_id());

  // Spawned from an actor on a scheduler thread, as the server spawns them.
  std::optional<probe_actor> on_network;
  std::optional<probe_actor> on_scheduler;
  // (A spawned function takes an argument: see notify_fanout.hpp.)
  auto parent = system.spawn([&](caf::event_based_actor* parent_self, int) {
    on_network = hat::spawn_placed<caf::monitored>(
      parent_self, hat::actor_placement::network_thread, probe, int64_t{5});
    on_scheduler = hat::spawn_placed(
      parent_self, hat::actor_placement::scheduler, probe, int64_t{0});
  }, 0);
  self->wait_for(parent);
  REQUIRE(on_network);
  REQUIRE(on_scheduler);

  CHECK(thread_of(self, *on_network) == network_thread);
  CHECK(thread_of(self, *on_scheduler) != network_thread);
  auto placed = dynamic_cast<probe_pointer>(
    caf::actor_cast<caf::abstract_actor*>(*on_network));
  REQUIRE(placed != nullptr);
  CHECK(placed->on_network_thread());

  // From this (non-actor) thread, from a broker, and its own timers.
  for (int64_t i = 0; i < 100; ++i)
    self->send(*on_network, i);
  auto sender = system.middleman().spawn_broker(broker_sender, *on_network);
  self->send(sender, hat::atom::ok::value, int64_t{100});
  std::vector<int64_t> seen;
  for (int attempt = 0; attempt < 1000 && seen.size() < 205; ++attempt)
    self->request(*on_network, std::chrono::seconds{10}, hat::atom::get::value,
                  int64_t{0})
      .receive([&](std::vector<int64_t>& answer) { seen = std::move(answer); },
               [](caf::error& err) { FAIL("no answer: ", to_string(err)); });
  REQUIRE(seen.size() == 205);
  std::vector<int64_t> from_here;
  std::vector<int64_t> from_broker;
  size_t ticks = 0;
  for (auto n : seen) {
    if (n < 0)
      ++ticks;
    else if (n < 1000)
      from_here.push_back(n);
    else
      from_broker.push_back(n);
  }
  CHECK(ticks == 5);
  REQUIRE(from_here.size() == 100);
  REQUIRE(from_broker.size() == 100);
  for (int64_t i = 0; i < 100; ++i) {
    CHECK(from_here[i] == i);
    CHECK(from_broker[i] == 1000 + i);
  }
  self->send_exit(*on_network, caf::exit_reason::user_shutdown);
  self->send_exit(*on_scheduler, caf::exit_reason::user_shutdown);
  self->send_exit(sender, caf::exit_reason::user_shutdown);
  self->send_exit(broker, caf::exit_reason::user_shutdown);
}
