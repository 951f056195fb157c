#pragma once

/// What a module may ask of the engine that runs it (the reference's
/// common.Engine). Calls are made from the module's callbacks, on its own
/// actor; every answer arrives later as a callback on that same actor,
/// never inside the call, so a module never waits on the engine and the
/// engine never waits on a module's registration (it becomes a later
/// session).
///
/// The handle outlives the module: it is valid for the module's lifetime.
/// Answers and timers end with the module: no callback runs after it is
/// destroyed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/event.hpp"

namespace hat::modules {

/// A connected Eventer client: its source and its client name.
using client_name = std::pair<event_source, std::string>;

class engine_handle {
public:
  virtual ~engine_handle() = default;

  /// This server's id (`server_id` of the configuration).
  virtual int64_t server_id() const = 0;

  /// Registers `events` as a new session with this module as its source,
  /// after the current session. `done` (optional) gets the registered
  /// events, or nullopt when the engine could not run the session.
  virtual void register_events(
    std::vector<register_event> events,
    std::function<void(std::optional<std::vector<event>>)> done = {}) = 0;

  /// Queries the backend (what is stored: not the current session). `done`
  /// gets the result, or nullopt when the query failed.
  virtual void query(query_params params,
                     std::function<void(std::optional<query_result>)> done) = 0;

  /// Names of the Eventer clients connected to this server.
  virtual void client_names(
    std::function<void(std::vector<client_name>)> done) = 0;

  /// Runs `fn` on the module's actor after `delay` (periodic work: call
  /// again from `fn`). Timers end with the module.
  virtual void after(std::chrono::milliseconds delay,
                     std::function<void()> fn) = 0;

  /// Asks for an engine restart (every module created again) once the
  /// current session is done.
  virtual void restart() = 0;

  /// Asks the server to reset its monitor "ready" flag (give up blessing
  /// for a while so another server can take over; nothing standalone).
  virtual void reset_monitor_ready() = 0;
};

}  // namespace hat::modules
