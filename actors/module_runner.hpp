#pragma once

/// The actor of one module: creates the module from its factory, then runs
/// its callbacks one at a time as the engine's rounds ask (module_actor in
/// interfaces.hpp), together with the answers and timers of what the module
/// asks through its engine_handle. Each module has its own actor, so the
/// modules of a round run in parallel while each one stays single-threaded.
///
/// A module that throws fails only the request it was answering (the
/// engine ends the session and restarts); one that cannot be created, or
/// throws in a timer callback, ends this actor with the error.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/interfaces.hpp"
#include "actors/module_spec.hpp"
#include "modules/module.hpp"
#include "protocol/subscription.hpp"

namespace hat {

/// Who a module's engine_handle talks to.
struct module_context {
  int64_t server_id = 0;
  /// Its index in the configuration (the source id of what it registers).
  int64_t index = 0;
  engine_actor engine;
  event_store_actor storage;
  notify_fanout_actor fanout;
};

struct module_runner_state {
  /// `module:` and index, for messages.
  std::string label;
  /// Declared before `module`: the library must outlive the module's code.
  std::shared_ptr<void> library;
  /// The handle the module was given; outlives the module.
  std::unique_ptr<modules::engine_handle> handle;
  std::unique_ptr<modules::module> module;
  /// The module's subscription, read once after creation.
  hat::subscription subscription;
  /// Callbacks of engine_handle::after by timer id.
  std::unordered_map<uint64_t, std::function<void()>> timers;
  uint64_t next_timer = 0;

  static inline const char* name = "module";
};

module_actor::behavior_type
module_runner(module_actor::stateful_pointer<module_runner_state> self,
              module_spec spec, module_context context);

}  // namespace hat
