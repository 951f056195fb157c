#pragma once

/// Where a typed actor runs: on CAF's scheduler threads, or on the network
/// thread (the middleman's multiplexer, which runs every connection broker).
///
/// Why: a request crosses connection → engine → connection. With the engine
/// on a scheduler thread each crossing wakes a thread (a futex for the
/// worker, a pipe write for the multiplexer): measured on the 2-core VM, a
/// single-event round trip then reaches about a quarter of a raw echo. On
/// the network thread, a message from a broker to the engine is queued and
/// run after the current event, with no wake-up at all (CAF's multiplexer
/// runs every resumable of subtype io_actor it is handed on its own
/// thread). The price: that thread is shared by all network I/O, so only
/// handlers that never block or run long may live there (never disk work,
/// never a module's callbacks).
///
/// placeable_actor is CAF's typed event-based actor that reports itself as
/// an io_actor, and routes every wake-up to the multiplexer, when it was
/// spawned with the multiplexer as its host. spawn_placed chooses the
/// host. Spawned any other way (the deterministic test coordinator, a
/// scheduler thread) it is an ordinary actor.

#include <caf/actor_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "config/server_config.hpp"

namespace hat {

using config::actor_placement;

template <class... Sigs>
class placeable_actor : public caf::typed_event_based_actor<Sigs...> {
public:
  using super = caf::typed_event_based_actor<Sigs...>;

  explicit placeable_actor(caf::actor_config& cfg)
    : super(cfg),
      network_(dynamic_cast<caf::io::network::multiplexer*>(cfg.host)) {
  }

  /// CAF's multiplexer resumes io_actors itself; anything else it hands to
  /// the scheduler.
  caf::resumable::subtype_t subtype() const override {
    return network_ != nullptr ? caf::resumable::io_actor : super::subtype();
  }

  /// Every wake-up goes to the multiplexer (queued directly when the sender
  /// runs on it, through its pipe otherwise), as a broker's does.
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    super::enqueue(std::move(ptr), network_ != nullptr ? network_ : eu);
  }

  bool on_network_thread() const {
    return network_ != nullptr;
  }

private:
  caf::io::network::multiplexer* network_;
};

template <class Handle>
struct placeable_of;

template <class... Sigs>
struct placeable_of<caf::typed_actor<Sigs...>> {
  using type = placeable_actor<Sigs...>;
};

/// The self pointer of a placeable stateful actor with interface `Handle`.
template <class Handle, class State>
using placeable_pointer
  = caf::stateful_actor<State, typename placeable_of<Handle>::type>*;

/// Spawns `fun(self, xs...)` where `where` says, monitored or linked to
/// `parent` as `Os` asks (as local_actor::spawn would).
template <caf::spawn_options Os = caf::no_spawn_options, class Parent,
          class F, class... Ts>
caf::infer_handle_from_fun_t<F>
spawn_placed(Parent* parent, actor_placement where, F fun, Ts&&... xs) {
  using impl = caf::infer_impl_from_fun_t<F>;
  static constexpr bool spawnable = caf::detail::spawnable<F, impl, Ts...>();
  static_assert(spawnable, "cannot spawn the actor with these arguments");
  auto& sys = parent->system();
  // Without a middleman (the deterministic test coordinator) there is no
  // network thread: the actor runs where any other would.
  caf::execution_unit* host = nullptr;
  if (where == actor_placement::network_thread && sys.has_middleman())
    host = &sys.middleman().backend();
  caf::actor_config cfg{host, parent};
  auto handle = sys.template spawn_functor<caf::make_unbound(Os)>(
    caf::detail::bool_token<spawnable>{}, cfg, fun, std::forward<Ts>(xs)...);
  if constexpr (caf::has_monitor_flag(Os))
    parent->monitor(handle);
  if constexpr (caf::has_link_flag(Os))
    parent->link_to(handle);
  return handle;
}

}  // namespace hat
